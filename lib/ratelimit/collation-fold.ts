// The bucket key of an identifier: no finer than any common way an application may look the
// identifier up. A database compares with a collation (MySQL's default utf8mb4_0900_ai_ci,
// PostgreSQL's ICU collations, citext), and a collation equates strings that differ in case,
// accents, invisible characters, compatibility forms, digits of other scripts, letters with a
// stroke (ø, ł, đ) and some expansions (æ and ae, ß and ss). Each such variant of one account's
// identifier must not get a bucket of its own: the account-wide limit would then multiply by the
// variants an attacker can type.
//
// The key: NFKD, case folded, every code point replaced by the representative of its class
// under the root collation at base strength (what Intl.Collator, Node's ICU, says is equal to
// it, ignoring case and accents), marks, default-ignorable and control code points dropped,
// NFKC. The classes come from sorting, once, every code point an NFKD string can hold (ideographs
// aside: each is its own class), plus the ASCII letters and digits and their pairs, with that
// collator: equal ones sort together.

const DROPPED = /[\p{M}\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NOT_ASCII = /[^\0-\x7f]/gu;
// The one contraction of the root collation that normalization makes of a Latin letter: NFKC
// turns ŀ (Catalan) into l + middle dot, which the collation equates with l.
const L_MIDDLE_DOT = /l\u00b7/g;
// Code points never in the table: unassigned, private use, surrogates, and unified ideographs
// (each its own class; they are most of planes 2 and 3, which are not walked at all).
const SKIPPED = /[\p{Cn}\p{Co}\p{Cs}\p{Unified_Ideograph}]/u;
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

// undefined: not built yet; null: this runtime has no collator (the fold is then the rest of
// the key alone).
let classes: Map<number, string> | null | undefined;

/**
 * The key without the collation classes: compatibility forms, marks and invisibles dropped
 * (before case mapping too: the ypogegrammeni, ignored by a collation, upper-cases to a letter),
 * case folded (upper then lower: ß is ss, final sigma is sigma).
 */
function plainKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(DROPPED, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD')
    .replace(DROPPED, '')
    .replace(L_MIDDLE_DOT, 'l')
    .normalize('NFKC');
}

/** An identifier's bucket key (the identifier already through normalizeIdentifier). */
export function collationKey(value: string): string {
  // Printable ASCII is its own class, up to case (checked by the tests on every code point).
  if (PRINTABLE_ASCII.test(value)) return value.toLowerCase();
  const table = classes === undefined ? (classes = buildClasses()) : classes;
  const decomposed = value.normalize('NFKD');
  if (table === null) return plainKey(decomposed);
  // Each code point by its class first: a combining letter a is a, not a mark to drop.
  return plainKey(decomposed.replace(NOT_ASCII, (ch) => table.get(ch.codePointAt(0) as number) ?? ch));
}

// Built on the first identifier that is not printable ASCII: about 0.1 s, once per thread.
function buildClasses(): Map<number, string> | null {
  if (typeof Intl === 'undefined' || typeof Intl.Collator !== 'function') return null;
  const compare = new Intl.Collator('und', { sensitivity: 'base', usage: 'sort' }).compare;
  const members: string[] = [''];
  for (let cp = 0; cp < 0x80; cp++) members.push(String.fromCharCode(cp));
  for (const a of ALPHANUMERIC) for (const b of ALPHANUMERIC) members.push(a + b);
  const walk = (from: number, to: number) => {
    for (let cp = from; cp <= to; cp++) {
      const ch = String.fromCodePoint(cp);
      if (!SKIPPED.test(ch) && ch.normalize('NFKD') === ch) members.push(ch);
    }
  };
  walk(0x80, 0x1ffff);
  walk(0xe0000, 0xe01ef); // tags and variation selectors
  members.sort(compare);
  const table = new Map<number, string>();
  for (let i = 0; i < members.length;) {
    let j = i + 1;
    while (j < members.length && compare(members[i], members[j]) === 0) j++;
    if (j - i > 1) {
      const keys = members.slice(i, j).map(plainKey);
      let best = i;
      for (let m = i + 1; m < j; m++) {
        if (preferred(members[m], keys[m - i], members[best], keys[best - i])) best = m;
      }
      const representative = keys[best - i];
      for (let m = i; m < j; m++) {
        const member = members[m];
        const cp = member.codePointAt(0);
        // Single code points only: the pairs and '' are there to name their classes.
        if (cp !== undefined && member.length === (cp > 0xffff ? 2 : 1) && keys[m - i] !== representative) {
          table.set(cp, representative);
        }
      }
    }
    i = j;
  }
  return table;
}

// A class is named by its ASCII member if it has one (so `ø` keys as `o`, `æ` as `ae`, a
// combining letter a as `a`), else by a member that is not dropped (not a mark), then the
// shortest, then the first in code point order: the same choice on every run.
function preferred(a: string, keyA: string, b: string, keyB: string): boolean {
  const asciiA = PRINTABLE_ASCII.test(a);
  if (asciiA !== PRINTABLE_ASCII.test(b)) return asciiA;
  if ((keyA === '') !== (keyB === '')) return keyA !== '';
  if (a.length !== b.length) return a.length < b.length;
  return a < b;
}
