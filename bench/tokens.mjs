// Single-use tokens: a full issue-and-consume round trip through the memory store, and the
// check of a presented token, against what a user would write by hand after Lucia's guide
// (node:crypto random bytes, a SHA-256 of the secret in a Map, timingSafeEqual). Alternating
// rounds, medians. The file store is bound by its fdatasync: its figure is the disk's.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileTokenStore, createMemoryTokenStore, createSingleUseTokens } from 'start-guard';
import { alternate, printTable } from './lib/measure.mjs';

const rounds = Number(process.env.ROUNDS ?? 7);
const tokens = createSingleUseTokens({ store: createMemoryTokenStore() });

// The hand-written equivalent: id.secret, SHA-256(secret) stored, constant-time compare.
const table = new Map();
const hand = {
  async issue(userId, purpose) {
    const id = randomBytes(16).toString('base64url');
    const secret = randomBytes(32);
    table.set(id, {
      userId,
      purpose,
      hash: createHash('sha256').update(secret).digest(),
      expiresAt: Date.now() / 1000 + 1800,
    });
    return `${id}.${secret.toString('base64url')}`;
  },
  async redeem(token, purpose, consume) {
    if (typeof token !== 'string' || token.length !== 66 || token[22] !== '.') return null;
    const r = table.get(token.slice(0, 22));
    if (r === undefined) return null;
    const hash = createHash('sha256')
      .update(Buffer.from(token.slice(23), 'base64url'))
      .digest();
    if (!timingSafeEqual(hash, r.hash) || r.purpose !== purpose || Date.now() / 1000 >= r.expiresAt)
      return null;
    if (consume && !table.delete(token.slice(0, 22))) return null;
    return { userId: r.userId };
  },
};

const sgToken = (await tokens.issue('user_0193d2a4', { purpose: 'reset' })).token;
const handToken = await hand.issue('user_0193d2a4', 'reset');
if (!(await tokens.check(sgToken, { purpose: 'reset' })) || !(await hand.redeem(handToken, 'reset', false)))
  throw new Error('setup');

const roundTrip = await alternate(
  [
    {
      name: 'start-guard issue + consume',
      fn: async () =>
        tokens.consume((await tokens.issue('user_0193d2a4', { purpose: 'reset' })).token, {
          purpose: 'reset',
        }),
      n: 20000,
    },
    {
      name: 'hand-written (node:crypto, SHA-256)',
      fn: async () => hand.redeem(await hand.issue('user_0193d2a4', 'reset'), 'reset', true),
      n: 20000,
    },
  ],
  rounds,
);
printTable('issue and consume one token (memory store)', roundTrip, 'start-guard issue + consume');

const check = await alternate(
  [
    { name: 'start-guard check', fn: () => tokens.check(sgToken, { purpose: 'reset' }), n: 50000 },
    { name: 'hand-written check', fn: () => hand.redeem(handToken, 'reset', false), n: 50000 },
  ],
  rounds,
);
printTable('check a presented token (memory store)', check, 'start-guard check');

const dir = mkdtempSync(join(tmpdir(), 'start-guard-bench-tokens-'));
try {
  const fileTokens = createSingleUseTokens({ store: createFileTokenStore({ path: join(dir, 'tokens') }) });
  const one = await alternate(
    [{ name: 'file store, one at a time', fn: () => fileTokens.issue('u', { purpose: 'reset' }), n: 100 }],
    3,
  );
  const batch = await alternate(
    [
      {
        name: 'file store, 32 at once',
        fn: () => Promise.all(Array.from({ length: 32 }, () => fileTokens.issue('u', { purpose: 'reset' }))),
        n: 10,
      },
    ],
    3,
  );
  const perSecond = (r, k) => `${(r.median * k).toFixed(0)}/s`;
  console.log(
    `\nfile store issue (each durable before it resolves): one at a time ${perSecond(one.values().next().value, 1)}, 32 in flight ${perSecond(batch.values().next().value, 32)} (one fdatasync per batch)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
