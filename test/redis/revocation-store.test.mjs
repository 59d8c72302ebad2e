// createRedisRevocationStore on a real redis-server: ids and watermarks as the contract says,
// kept only as long as needed (key expiry), concurrent writers only ever extend, and the
// failures that must never read as "not revoked".
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createMemoryRevocationStore, isStartGuardError } from 'start-guard';
import { createRedisRevocationStore } from 'start-guard/redis';
import { connect } from './support/clients.mjs';
import { startRedis } from './support/redis-server.mjs';

const redis = await startRedis();
after(() => redis.stop());
const client = await connect(redis.url);

const nowS = () => Math.floor(Date.now() / 1000);
const session = (id, userId = 'u1', createdAtMs = Date.now()) => ({ id, userId, createdAtMs });
let unique = 0;
const fresh = (label) => `${label}-${process.pid}-${++unique}`;
const GRACE_MS = 60_000;

describe('semantics', () => {
  test('a revoked id is refused, others are not; the key expires a minute after the session', async () => {
    const store = createRedisRevocationStore({ client, prefix: 'rv1:' });
    const expiresAt = nowS() + 3600;
    await store.revoke('sid-1', expiresAt);
    assert.equal(await store.isRevoked(session('sid-1')), true);
    assert.equal(await store.isRevoked(session('sid-2')), false);
    const [key] = await client.keys('rv1:rv:id:*');
    assert.match(key, /^rv1:rv:id:[A-Za-z0-9_-]{22}$/, 'a digest of the id');
    const expireAt = await client.pExpireTime(key);
    assert.equal(expireAt, expiresAt * 1000 + GRACE_MS);
    // A second revoke with an earlier expiry never shortens it; a later one extends it.
    await store.revoke('sid-1', expiresAt - 1000);
    assert.equal(await client.pExpireTime(key), expiresAt * 1000 + GRACE_MS);
    await store.revoke('sid-1', expiresAt + 10);
    assert.equal(await client.pExpireTime(key), (expiresAt + 10) * 1000 + GRACE_MS);
  });

  test('a revocation whose time has passed (grace included) keeps nothing', async () => {
    const store = createRedisRevocationStore({ client, prefix: 'rv2:' });
    await store.revoke('old', nowS() - 120);
    assert.equal((await client.keys('rv2:*')).length, 0);
    assert.equal(await store.isRevoked(session('old')), false);
    // Within the grace minute it is still held (an app server whose clock is behind still sees it).
    await store.revoke('recent', nowS() - 10);
    assert.equal(await store.isRevoked(session('recent')), true);
  });

  test('a watermark revokes the sessions created before it, is never lowered, and is kept until the latest keepUntil', async () => {
    const store = createRedisRevocationStore({ client, prefix: 'rv3:' });
    const user = fresh('user');
    const B = Date.now();
    const S = nowS();
    await store.revokeUserBefore(user, B, S + 600);
    assert.equal(await store.isRevoked(session('a', user, B - 1)), true);
    assert.equal(await store.isRevoked(session('b', user, B)), false);
    assert.equal(await store.isRevoked(session('c', 'someone-else', B - 1)), false);
    const [key] = await client.keys('rv3:rv:user:*');
    assert.ok(!key.includes(user), 'the user id is stored as a digest');
    // Lower watermark, later keepUntil: the mark stays, its time is extended.
    await store.revokeUserBefore(user, B - 50_000, S + 900);
    assert.equal(await store.isRevoked(session('a', user, B - 1)), true);
    assert.equal(await client.pExpireTime(key), (S + 900) * 1000 + GRACE_MS);
    // Higher watermark, earlier keepUntil: the mark rises, the time stays the later one.
    await store.revokeUserBefore(user, B + 5000, S + 300);
    assert.equal(await store.isRevoked(session('d', user, B + 4999)), true);
    assert.equal(await store.isRevoked(session('e', user, B + 5000)), false);
    assert.equal(await client.pExpireTime(key), (S + 900) * 1000 + GRACE_MS);
    // A fractional watermark is never rounded down.
    await store.revokeUserBefore(user, B + 5000.5, S + 300);
    assert.equal(await store.isRevoked(session('f', user, B + 5000)), true);
  });

  test('answers as the memory store over random revocations from concurrent writers', async () => {
    const store = createRedisRevocationStore({ client, prefix: 'rv4:' });
    const other = createRedisRevocationStore({ client, prefix: 'rv4:' });
    const model = createMemoryRevocationStore();
    const B = Date.now();
    const S = nowS();
    let seed = 7;
    const rand = (n) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const writes = [];
    for (let i = 0; i < 200; i++) {
      const w = i % 2 ? store : other;
      if (rand(4)) {
        const id = `s${rand(30)}`;
        const until = S + 100 + rand(1000);
        writes.push(w.revoke(id, until), model.revoke(id, until));
      } else {
        const user = `u${rand(10)}`;
        const at = B - 100_000 + rand(100_000);
        const keep = S + 100 + rand(1000);
        writes.push(w.revokeUserBefore(user, at, keep), model.revokeUserBefore(user, at, keep));
      }
    }
    await Promise.all(writes); // all at once: the scripts keep only the maxima, in any order
    let revoked = 0;
    for (let i = 0; i < 300; i++) {
      const s = session(`s${rand(60)}`, `u${rand(12)}`, B - 110_000 + rand(220_000));
      const expected = await model.isRevoked(s);
      assert.equal(await store.isRevoked(s), expected, JSON.stringify(s));
      if (expected) revoked++;
    }
    assert.ok(revoked > 50 && revoked < 250, `both answers are exercised (${revoked} of 300 revoked)`);
  });
});

test('ids that differ only by a lone surrogate are distinct, as in the memory store; well-formed ids keep their keys', async () => {
  const store = createRedisRevocationStore({ client, prefix: 'rv-utf16:' });
  const model = createMemoryRevocationStore();
  const now = Date.now();
  const keep = nowS() + 3600;
  for (const s of [store, model]) {
    await s.revokeUserBefore('user\uDC00', now, keep);
    await s.revoke('sid\uD800', keep);
  }
  const cases = [
    session('s1', 'user\uDBFF', now - 1000),
    session('s2', 'user\uFFFD', now - 1000),
    session('s3', 'user\uDC00', now - 1000),
    session('sid\uFFFD', 'other'),
    session('sid\uDBFF', 'other'),
    session('sid\uD800', 'other'),
  ];
  for (const s of cases) assert.equal(await store.isRevoked(s), await model.isRevoked(s), JSON.stringify(s));
  assert.equal(await store.isRevoked(cases[2]), true);
  assert.equal(await store.isRevoked(cases[0]), false);
  // Well-formed ids are hashed as their UTF-8, as before: revocations already in Redis still hold.
  await store.revoke('sid-plain', keep);
  const digest = createHash('sha256').update('sid-plain').digest('base64url').slice(0, 22);
  assert.equal(await client.exists(`rv-utf16:rv:id:${digest}`), 1);
});

describe('failures never read as "not revoked"', () => {
  test('an unreadable watermark is ERR_STORE_UNAVAILABLE, not a pass', async () => {
    const store = createRedisRevocationStore({ client, prefix: 'rv5:' });
    await store.revokeUserBefore('u', Date.now(), nowS() + 600);
    const [key] = await client.keys('rv5:rv:user:*');
    await client.set(key, 'garbage');
    await assert.rejects(
      store.isRevoked(session('x', 'u')),
      (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE') && e.status === 503,
    );
  });

  test('after close() every call rejects with ERR_STORE_UNAVAILABLE', async () => {
    const store = createRedisRevocationStore({ client });
    await store.revoke('gone', nowS() + 3600);
    await store.close();
    const unavailable = (e) => isStartGuardError(e, 'ERR_STORE_UNAVAILABLE') && e.status === 503;
    await assert.rejects(store.isRevoked(session('gone')), unavailable);
    await assert.rejects(store.revoke('other', nowS() + 3600), unavailable);
    await assert.rejects(store.revokeUserBefore('u1', Date.now(), nowS() + 3600), unavailable);
  });

  test('a duration or milliseconds given as an expiry is a RangeError naming the unit', async () => {
    const store = createRedisRevocationStore({ client });
    for (const bad of [12 * 3600, 1, Date.now()]) {
      await assert.rejects(store.revoke('sid', bad), { code: 'ERR_OUT_OF_RANGE', message: /"expiresAt"/ });
      await assert.rejects(store.revokeUserBefore('u', Date.now(), bad), { message: /"keepUntil"/ });
    }
    await assert.rejects(store.revokeUserBefore('u', nowS(), nowS() + 60), {
      message: /"atMs".*milliseconds/,
    });
    await assert.rejects(store.isRevoked({ id: 's' }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => createRedisRevocationStore({ client: {} }), { message: /"options.client"/ });
  });
});
