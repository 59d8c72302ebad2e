// completeReset against sign-ins with the old password that are running while it completes (an
// attacker who knows the old password keeps signing in while the victim resets it). The sign-in
// here is DESIGN.md's passwordSignIn (findUser, verify with a dummy for unknown users, a session)
// with the one property the reset relies on: the session's createdAtMs is the time the
// credential was read, taken before findUser (through the session manager's internal create
// option). completeReset raises the user's watermark once the new hash is saved, up to and
// including that millisecond, so every session made from a credential read before the save ends,
// however long its verify took.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createMemoryRevocationStore,
  createMemoryTokenStore,
  createPasswordHasher,
  createPasswordReset,
  createSessionManager,
  createSingleUseTokens,
} from 'start-guard';
import { hasher as quickHasher, limits, tokenOf } from './support/flows.mjs';

const INTERNALS = Symbol.for('start-guard.session-internals');

function setup(hasher) {
  const users = new Map();
  const revocation = createMemoryRevocationStore();
  const sessions = createSessionManager({ secrets: 'x'.repeat(32), revocation });
  const outbox = [];
  let beforeSave = () => {};
  const reset = createPasswordReset({
    tokens: createSingleUseTokens({ store: createMemoryTokenStore() }),
    url: 'https://app.example.com/reset',
    findUser: async (identifier) => users.get(identifier) ?? null,
    send: async (m) => void outbox.push(m),
    hasher,
    savePassword: async (userId, hash) => {
      beforeSave();
      await null; // the database's round trip: a sign-in started in beforeSave reads first
      await null;
      for (const u of users.values()) if (u.id === userId) u.passwordHash = hash;
    },
    revocation,
    limits: limits('reset'),
    queue: { maxStartDelayMs: 0 },
  });

  /** passwordSignIn as DESIGN.md describes it, stamping the session with the credential's read time. */
  async function signIn(identifier, password) {
    const readAtMs = Date.now(); // before the credential is read
    const user = await (async () => {
      await null; // a database round trip
      const u = users.get(identifier);
      return u === undefined ? null : { id: u.id, passwordHash: u.passwordHash };
    })();
    if (!(await hasher.verify(user?.passwordHash ?? null, password))) return null;
    return sessions[INTERNALS].create(user.id, {}, { createdAtMs: readAtMs }).setCookie.split(';')[0];
  }

  async function mailedToken(address) {
    await reset.requestReset(address, { client: 'c' });
    await reset.idle();
    return tokenOf(outbox.at(-1));
  }

  return {
    users,
    sessions,
    reset,
    signIn,
    mailedToken,
    onSave: (f) => (beforeSave = f),
  };
}

describe('completeReset and sign-ins with the old password running at the same time', () => {
  test('sessions of old-password sign-ins in flight during the reset end with it (default hasher policy, 10 trials)', async () => {
    // The default policy (m=19456, t=2): each verify takes long enough that several sign-ins
    // started before the save finish after completeReset has returned.
    const hasher = createPasswordHasher();
    const a = setup(hasher);
    let late = 0;
    const TRIALS = 10;
    for (let trial = 0; trial < TRIALS; trial++) {
      a.users.set('ada@example.com', {
        id: 'u-ada',
        email: 'ada@example.com',
        passwordHash: await hasher.hash('old password 1'),
      });
      const token = await a.mailedToken('ada@example.com');
      let stop = false;
      let resetDone = false;
      const cookies = [];
      const attacker = (async () => {
        const inflight = [];
        while (!stop) {
          inflight.push(
            a.signIn('ada@example.com', 'old password 1').then(
              (c) => {
                if (c === null) return;
                cookies.push(c);
                if (resetDone) late++;
              },
              () => {}, // ERR_HASH_OVERLOADED under load: that sign-in simply failed
            ),
          );
          await new Promise((r) => setTimeout(r, 8));
        }
        await Promise.allSettled(inflight);
      })();
      await new Promise((r) => setTimeout(r, 30));
      assert.deepEqual(await a.reset.completeReset(token, 'brand new password 2'), { userId: 'u-ada' });
      resetDone = true;
      stop = true;
      await attacker;
      for (const c of cookies) {
        assert.equal(
          await a.sessions.read(c),
          null,
          `trial ${trial}: an old-password session outlived the reset`,
        );
      }
      assert.equal(await a.signIn('ada@example.com', 'old password 1'), null);
    }
    // The race was really run: old-password sign-ins succeeded after completeReset returned (a
    // sign-in stamping its session at creation would have kept those).
    assert.ok(late >= 1, `old-password sign-ins finishing after the reset: ${late}`);
  });

  test('a credential read in the very millisecond the new hash is saved: its session ends too', async () => {
    const a = setup(quickHasher);
    let survived = 0;
    for (let trial = 0; trial < 5; trial++) {
      a.users.set('ada@example.com', {
        id: 'u-ada',
        email: 'ada@example.com',
        passwordHash: await quickHasher.hash('old password 1'),
      });
      const token = await a.mailedToken('ada@example.com');
      let attempt;
      a.onSave(() => {
        // At the start of a millisecond, a sign-in reads the old hash just before it is replaced;
        // completeReset's watermark then falls within the same millisecond.
        const t = Date.now();
        while (Date.now() === t);
        attempt = a.signIn('ada@example.com', 'old password 1');
      });
      await a.reset.completeReset(token, 'brand new password 2');
      a.onSave(() => {});
      const cookie = await attempt;
      assert.ok(cookie, 'the sign-in read the old hash');
      if ((await a.sessions.read(cookie)) !== null) survived++;
    }
    assert.equal(survived, 0, `sessions that outlived the reset: ${survived} of 5`);
  });

  test('a sign-in with the new password right after the reset keeps its session', async () => {
    const a = setup(quickHasher);
    a.users.set('ada@example.com', {
      id: 'u-ada',
      email: 'ada@example.com',
      passwordHash: await quickHasher.hash('old password 1'),
    });
    const token = await a.mailedToken('ada@example.com');
    await a.reset.completeReset(token, 'brand new password 2');
    // Within the millisecond after the watermark is at most a millisecond's wait away.
    await new Promise((r) => setTimeout(r, 2));
    const cookie = await a.signIn('ada@example.com', 'brand new password 2');
    assert.ok(cookie);
    assert.ok(await a.sessions.read(cookie));
  });
});
