// A tiny JSON reader for the test-vector files only: objects, arrays, strings (with the
// escapes those files use), true/false/null. No numbers are needed. Throws on anything else,
// so a changed vector file fails loudly instead of being half-read.
#pragma once
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace json_mini {

struct Value {
  enum class Type { Null, Bool, String, Array, Object } type = Type::Null;
  bool boolean = false;
  std::string str;
  std::vector<Value> items;
  std::map<std::string, Value> members;

  bool is_null() const { return type == Type::Null; }
  bool has(const std::string& k) const { return members.count(k) != 0; }
  const Value& operator[](const std::string& k) const {
    auto it = members.find(k);
    if (it == members.end()) throw std::runtime_error("json_mini: missing key " + k);
    return it->second;
  }
};

class Parser {
 public:
  explicit Parser(std::string text) : s_(std::move(text)) {}
  Value parse() {
    Value v = value();
    ws();
    if (i_ != s_.size()) fail("trailing data");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("json_mini: ") + what + " at offset " +
                             std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail("unexpected character");
  }
  bool word(const char* w) {
    const std::string ws_(w);
    if (s_.compare(i_, ws_.size(), ws_) != 0) return false;
    i_ += ws_.size();
    return true;
  }
  Value value() {
    ws();
    if (i_ >= s_.size()) fail("unexpected end");
    Value v;
    const char c = s_[i_];
    if (c == '{') {
      v.type = Value::Type::Object;
      ++i_;
      if (eat('}')) return v;
      do {
        ws();
        std::string k = string();
        expect(':');
        v.members[k] = value();
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      v.type = Value::Type::Array;
      ++i_;
      if (eat(']')) return v;
      do v.items.push_back(value());
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.type = Value::Type::String;
      v.str = string();
    } else if (word("true")) {
      v.type = Value::Type::Bool;
      v.boolean = true;
    } else if (word("false")) {
      v.type = Value::Type::Bool;
    } else if (!word("null")) {
      fail("unsupported value");
    }
    return v;
  }
  std::string string() {
    if (i_ >= s_.size() || s_[i_] != '"') fail("expected string");
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (i_ >= s_.size()) fail("bad escape");
      c = s_[i_++];
      switch (c) {
        case '"':
        case '\\':
        case '/':
          out.push_back(c);
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        default:
          fail("unsupported escape");  // \u and friends: not in the vector files
      }
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }

  std::string s_;
  size_t i_ = 0;
};

inline Value parse_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("json_mini: cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return Parser(ss.str()).parse();
}

}  // namespace json_mini
