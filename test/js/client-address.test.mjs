// clientAddress: the socket's peer without trustProxy (and one warning when X-Forwarded-For is
// ignored), the rightmost untrusted hop behind listed proxies, spoofed and garbage chains,
// IPv6 keys by prefix, IPv4-mapped addresses, both header shapes, and a real HTTP server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { clientAddress, isStartGuardError } from 'start-guard';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const proxies = ['10.0.0.0/8', '2001:db8:ffff::/48'];
const behind = (remoteAddress, xff, trustProxy = proxies) =>
  clientAddress(
    { remoteAddress, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } },
    { trustProxy },
  );

describe('without trustProxy', () => {
  test("the socket's peer is the client, whatever X-Forwarded-For says", () => {
    assert.deepEqual(
      clientAddress({ remoteAddress: '203.0.113.7', headers: { 'x-forwarded-for': '198.51.100.1' } }),
      {
        ip: '203.0.113.7',
        limitKey: '203.0.113.7',
      },
    );
    assert.deepEqual(clientAddress({ remoteAddress: '::ffff:203.0.113.7' }), {
      ip: '203.0.113.7',
      limitKey: '203.0.113.7',
    });
    assert.deepEqual(clientAddress({ remoteAddress: undefined, headers: {} }), {
      ip: null,
      limitKey: 'unknown',
    });
    assert.deepEqual(clientAddress({ remoteAddress: 'not an address' }), { ip: null, limitKey: 'unknown' });
  });

  test('an ignored X-Forwarded-For gives exactly one warning on stderr, nothing on stdout', async () => {
    const source = `
      const { clientAddress } = require(${JSON.stringify(root)});
      clientAddress({ remoteAddress: '127.0.0.1', headers: {} });
      clientAddress({ remoteAddress: '127.0.0.1' });
      for (let i = 0; i < 3; i++) clientAddress({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '1.2.3.4' } });
      clientAddress({ remoteAddress: '127.0.0.1', headers: new Headers({ 'X-Forwarded-For': '5.6.7.8' }) });
      clientAddress({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '1.2.3.4' } }, { trustProxy: ['10.0.0.0/8'] });`;
    const { stdout, stderr } = await run(process.execPath, ['-e', source]);
    assert.equal(stdout, '');
    assert.equal(stderr.match(/StartGuardWarning/g)?.length, 1, stderr);
    assert.match(stderr, /START_GUARD_UNTRUSTED_FORWARDED_FOR/);
    assert.match(stderr, /trustProxy/);
  });

  test('a request with no peer address (a Fetch Request passed as is) warns once', async () => {
    const source = `
      const { clientAddress } = require(${JSON.stringify(root)});
      const r = new Request('http://localhost/', { headers: { 'x-forwarded-for': '1.2.3.4' } });
      for (let i = 0; i < 3; i++) console.log(JSON.stringify(clientAddress(r, { trustProxy: ['10.0.0.0/8'] })));`;
    const { stdout, stderr } = await run(process.execPath, ['-e', source]);
    assert.equal(stdout.trim().split('\n').length, 3);
    assert.deepEqual(JSON.parse(stdout.split('\n')[0]), { ip: null, limitKey: 'unknown' });
    assert.equal(stderr.match(/START_GUARD_NO_REMOTE_ADDRESS/g)?.length, 1, stderr);
    assert.match(stderr, /getRequestIP/);
  });
});

describe('behind trusted proxies', () => {
  test('the rightmost hop that is not a trusted proxy is the client', () => {
    assert.equal(behind('10.0.0.2', '203.0.113.7').ip, '203.0.113.7');
    // Two proxies: the load balancer appended the first proxy's address.
    assert.equal(behind('10.0.0.2', '203.0.113.7, 10.1.2.3').ip, '203.0.113.7');
    assert.equal(behind('::ffff:10.0.0.2', '203.0.113.7').ip, '203.0.113.7', 'IPv4-mapped peer');
  });

  test('hops a client wrote itself are never believed', () => {
    // The client sent "X-Forwarded-For: 198.51.100.99, 10.9.9.9" hoping to be someone else (or a
    // proxy); the proxy appended the address it really saw.
    assert.equal(behind('10.0.0.2', '198.51.100.99, 10.9.9.9, 203.0.113.7').ip, '203.0.113.7');
    // Changing the spoofed part changes nothing: one client, one key.
    const keys = new Set();
    for (let i = 0; i < 50; i++) keys.add(behind('10.0.0.2', `192.0.2.${i}, 203.0.113.7`).limitKey);
    assert.deepEqual([...keys], ['203.0.113.7']);
  });

  test('a peer that is not a listed proxy is the client, and its header is ignored', () => {
    assert.equal(behind('203.0.113.50', '198.51.100.99').ip, '203.0.113.50');
    assert.equal(behind('203.0.113.50', '198.51.100.99', []).ip, '203.0.113.50');
  });

  test('every hop trusted: the leftmost is the client; no header: the peer', () => {
    assert.equal(behind('10.0.0.2', '10.5.5.5, 10.6.6.6').ip, '10.5.5.5');
    assert.equal(behind('10.0.0.2', undefined).ip, '10.0.0.2');
    assert.equal(behind('10.0.0.2', ' ').ip, '10.0.0.2');
  });

  test('garbage where a trusted proxy wrote gives no address and the shared unknown key', () => {
    for (const xff of [
      'nonsense',
      '203.0.113.7, 10.0.0.1, ',
      '1.2.3.4.5',
      '0x7f.0.0.1',
      '127.1',
      '01.2.3.4',
    ]) {
      assert.deepEqual(behind('10.0.0.2', xff), { ip: null, limitKey: 'unknown' }, xff);
    }
    // Garbage left of the first untrusted hop is the client's own writing: ignored.
    assert.equal(behind('10.0.0.2', 'nonsense, 203.0.113.7').ip, '203.0.113.7');
  });

  test('hops with ports, as some proxies write them', () => {
    assert.equal(behind('10.0.0.2', '203.0.113.7:51234').ip, '203.0.113.7');
    assert.equal(behind('10.0.0.2', '[2001:db8:1:2::7]:443').ip, '2001:db8:1:2::7');
    assert.equal(behind('10.0.0.2', '[2001:db8:1:2::7]').ip, '2001:db8:1:2::7');
  });

  test('trustProxy entries are CIDRs or addresses; anything else is refused at once', () => {
    assert.equal(behind('192.0.2.1', '203.0.113.7', ['192.0.2.1']).ip, '203.0.113.7');
    assert.equal(behind('2001:db8:ffff:1::1', '203.0.113.7').ip, '203.0.113.7', 'IPv6 proxy in a /48');
    assert.equal(
      behind('10.0.0.2', '203.0.113.7', ['::ffff:10.0.0.0/104']).ip,
      '203.0.113.7',
      'IPv4-mapped CIDR',
    );
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0/8',
      'localhost',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      '::/129',
      '10.0.0.0/-1',
    ]) {
      assert.throws(
        () => behind('10.0.0.2', '203.0.113.7', [bad]),
        (e) => isStartGuardError(e, 'ERR_INVALID_OPTION') && e.message.includes(JSON.stringify(bad)),
        bad,
      );
    }
    assert.throws(() => behind('10.0.0.2', '1.2.3.4', '10.0.0.0/8'), { name: 'TypeError' });
  });

  test('whether a trustProxy list is refused does not depend on the lists seen before it', () => {
    // The compiled lists are cached: a list must never be taken for another one that passed.
    assert.equal(behind('10.9.0.1', '203.0.113.7', ['10.9.0.1', '10.9.0.2']).ip, '203.0.113.7');
    const refused = (list, label) =>
      assert.throws(
        () => behind('10.9.0.1', '203.0.113.7', list),
        (e) => isStartGuardError(e, 'ERR_INVALID_OPTION'),
        label,
      );
    refused(['10.9.0.1,10.9.0.2'], 'one entry holding a comma');
    refused([{ toString: () => '10.9.0.1' }, '10.9.0.2'], 'an object that prints as an address');
    refused([['10.9.0.1'], '10.9.0.2'], 'a nested array');
    // And the other way round: what passes is the same whatever came first.
    assert.equal(behind('10.9.0.1', '203.0.113.7', ['10.9.0.1', '10.9.0.2']).ip, '203.0.113.7');
    assert.equal(behind('10.9.0.2', '203.0.113.7', ['10.9.0.1', '10.9.0.2']).ip, '203.0.113.7');
  });
});

describe('zone ids', () => {
  // net.isIP accepts any zone id; ipaddr.js throws a plain Error for some (a dash, a dot).
  const zoned = ['fe80::1%br-1a2b3c', 'fe80::1%eth0.100', 'fe80::1%eth0', 'fe80::1%25'];

  test('an address with a zone id is the address, never a throw', () => {
    for (const remoteAddress of zoned) {
      assert.deepEqual(
        clientAddress({ remoteAddress }),
        { ip: 'fe80::1', limitKey: 'fe80::/64' },
        remoteAddress,
      );
      assert.deepEqual(behind('10.0.0.2', remoteAddress), { ip: 'fe80::1', limitKey: 'fe80::/64' });
      assert.deepEqual(behind('10.0.0.2', `[${remoteAddress}]:443`), {
        ip: 'fe80::1',
        limitKey: 'fe80::/64',
      });
    }
    assert.deepEqual(clientAddress({ remoteAddress: '::ffff:203.0.113.7%br-1' }), {
      ip: '203.0.113.7',
      limitKey: '203.0.113.7',
    });
  });

  test('trustProxy entries with a zone id: the address, without it, is trusted', () => {
    for (const entry of zoned) {
      assert.equal(behind('fe80::1', '203.0.113.7', [entry]).ip, '203.0.113.7', entry);
    }
    assert.equal(behind('10.0.0.1', '203.0.113.7', ['::ffff:10.0.0.1%br-1/128']).ip, '203.0.113.7');
    assert.equal(behind('fe80::1:2', '203.0.113.7', ['fe80::%br-1/64']).ip, '203.0.113.7');
    assert.equal(behind('fe81::1', '203.0.113.7', ['fe80::%br-1/64']).ip, 'fe81::1');
  });
});

describe('keys', () => {
  test('IPv6 clients are keyed by their /64; the ip stays the full canonical address', () => {
    const a = behind('10.0.0.2', '2001:DB8:1:2:aaaa::1');
    const b = behind('10.0.0.2', '2001:db8:1:2:bbbb:0:0:2');
    const c = behind('10.0.0.2', '2001:db8:1:3::1');
    assert.deepEqual(a, { ip: '2001:db8:1:2:aaaa::1', limitKey: '2001:db8:1:2::/64' });
    assert.equal(b.limitKey, a.limitKey, 'one /64, one bucket');
    assert.notEqual(c.limitKey, a.limitKey);
    assert.equal(
      clientAddress({ remoteAddress: '2001:0db8:0001:0002:0000:0000:0000:0001' }).ip,
      '2001:db8:1:2::1',
    );
    assert.equal(clientAddress({ remoteAddress: 'fe80::1%eth0' }).ip, 'fe80::1', 'no zone id');
  });

  test('ipv6Prefix changes the grouping; 128 keys each address', () => {
    const opts = (ipv6Prefix) => ({ trustProxy: proxies, ipv6Prefix });
    const h = { 'x-forwarded-for': '2001:db8:1:2a::1' };
    assert.equal(
      clientAddress({ remoteAddress: '10.0.0.2', headers: h }, opts(56)).limitKey,
      '2001:db8:1::/56',
    );
    assert.equal(
      clientAddress({ remoteAddress: '10.0.0.2', headers: h }, opts(128)).limitKey,
      '2001:db8:1:2a::1',
    );
    for (const bad of [8, 64.5, 129, '64']) {
      assert.throws(() => clientAddress({ remoteAddress: '::1' }, { ipv6Prefix: bad }), {
        name: 'TypeError',
      });
    }
  });
});

describe('headers', () => {
  test('Fetch Headers, repeated headers, arrays and any case in a plain object', () => {
    const h = new Headers();
    h.append('X-Forwarded-For', '198.51.100.99');
    h.append('x-forwarded-for', '203.0.113.7');
    assert.equal(
      clientAddress({ remoteAddress: '10.0.0.2', headers: h }, { trustProxy: proxies }).ip,
      '203.0.113.7',
    );
    const arr = { 'x-forwarded-for': ['198.51.100.99', '203.0.113.7'] };
    assert.equal(
      clientAddress({ remoteAddress: '10.0.0.2', headers: arr }, { trustProxy: proxies }).ip,
      '203.0.113.7',
    );
    const upper = { 'X-Forwarded-For': '203.0.113.7' };
    assert.equal(
      clientAddress({ remoteAddress: '10.0.0.2', headers: upper }, { trustProxy: proxies }).ip,
      '203.0.113.7',
    );
  });

  test('wrong input is a TypeError', () => {
    assert.throws(() => clientAddress(null), { name: 'TypeError' });
    assert.throws(() => clientAddress('1.2.3.4'), { name: 'TypeError' });
  });
});

test('over a real HTTP server: a spoofed header from a direct client changes nothing', async () => {
  const seen = [];
  const server = createServer((req, res) => {
    const direct = clientAddress({ remoteAddress: req.socket.remoteAddress, headers: req.headers });
    // As if the app sat behind a proxy on loopback: the header's last hop is believed.
    const proxied = clientAddress(
      { remoteAddress: req.socket.remoteAddress, headers: req.headers },
      { trustProxy: ['127.0.0.0/8', '::1'] },
    );
    seen.push({ direct, proxied });
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${server.address().port}/`;
    await (await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } })).text();
    await (await fetch(url)).text();
  } finally {
    server.close();
  }
  assert.deepEqual(seen[0].direct, { ip: '127.0.0.1', limitKey: '127.0.0.1' });
  assert.deepEqual(seen[0].proxied, { ip: '203.0.113.9', limitKey: '203.0.113.9' });
  assert.deepEqual(seen[1].proxied, { ip: '127.0.0.1', limitKey: '127.0.0.1' });
});
