// E-mail verification: the link goes to the address being verified and brings it back, once;
// a newer request voids older links; another user's link and a reset link are refused; limits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { app, tokenOf } from './support/flows.mjs';

const client = { ip: '192.0.2.10', limitKey: '192.0.2.10' };

describe('e-mail verification', () => {
  test('the link verifies the address it was sent to, once, after the answer; 24-hour lifetime', async () => {
    const a = app();
    const answer = await a.verification.requestVerification(
      { id: 'u-new', email: 'new@example.com' },
      { client },
    );
    assert.deepEqual(answer, { allowed: true, retryAfterMs: 0 });
    assert.equal(a.outbox.length, 0, 'sent after the answer');
    await a.verification.idle();
    const [mail] = a.outbox;
    assert.equal(mail.to, 'new@example.com');
    assert.equal(new URL(mail.url).origin, 'https://app.example.com');
    assert.ok(Math.abs(mail.expiresAt - (Date.now() / 1000 + 86400)) < 2);
    const token = tokenOf(mail);
    assert.deepEqual(await a.verification.completeVerification(token, { client }), {
      userId: 'u-new',
      email: 'new@example.com',
    });
    assert.equal(await a.verification.completeVerification(token), null);
    assert.deepEqual(
      a.events.map((e) => [e.type, e.userId, e.reason]),
      [
        ['verify.requested', 'u-new', undefined],
        ['verify.sent', 'u-new', undefined],
        ['verify.completed', 'u-new', undefined],
        ['verify.rejected', undefined, 'unknown'],
      ],
    );
    assert.ok(!JSON.stringify(a.events).includes('new@example.com'));
  });

  test('checkVerification tells whether a link would be accepted, without using it up', async () => {
    const a = app();
    await a.verification.requestVerification({ id: 'u-check', email: 'check@example.com' }, { client });
    await a.verification.idle();
    const token = tokenOf(a.outbox.at(-1));
    const expected = { userId: 'u-check', email: 'check@example.com' };
    assert.deepEqual(await a.verification.checkVerification(token), expected);
    assert.deepEqual(await a.verification.checkVerification(token), expected, 'still there');
    assert.equal(await a.verification.checkVerification(token, { userId: 'someone-else' }), null);
    assert.equal(await a.verification.checkVerification(token.slice(0, -2) + 'AA'), null);
    assert.equal(await a.verification.checkVerification('not a token'), null);
    assert.deepEqual(await a.verification.completeVerification(token), expected);
    assert.equal(await a.verification.checkVerification(token), null, 'used up');
  });

  test('a newer request voids the older link (it may point at a replaced address)', async () => {
    const a = app();
    await a.verification.requestVerification({ id: 'u1', email: 'old@example.com' }, { client });
    await a.verification.idle();
    await a.verification.requestVerification({ id: 'u1', email: 'changed@example.com' }, { client });
    await a.verification.idle();
    const [oldMail, newMail] = a.outbox;
    assert.equal(await a.verification.completeVerification(tokenOf(oldMail)), null);
    assert.deepEqual(await a.verification.completeVerification(tokenOf(newMail)), {
      userId: 'u1',
      email: 'changed@example.com',
    });
  });

  test("a signed-in user cannot use another user's link; a reset link is no verification link", async () => {
    const a = app();
    await a.verification.requestVerification({ id: 'victim', email: 'victim@example.com' }, { client });
    await a.verification.idle();
    const token = tokenOf(a.outbox.at(-1));
    assert.equal(await a.verification.completeVerification(token, { userId: 'attacker' }), null);
    assert.equal(a.events.at(-1).reason, 'wrong_user');
    await a.reset.requestReset('ada@example.com', { client });
    await a.reset.idle();
    assert.equal(await a.verification.completeVerification(tokenOf(a.outbox.at(-1))), null);
    assert.equal(a.events.at(-1).reason, 'wrong_purpose');
    assert.ok(await a.verification.completeVerification(token, { userId: 'victim' }));
  });

  test('limits per address: no flood of verification mails to one inbox', async () => {
    const a = app({ limits: { perAddress: { capacity: 2, refillPerSecond: 1 / 600 } } });
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(
        await a.verification.requestVerification({ id: `u${i}`, email: 'Target@Example.com' }, { client }),
      );
    assert.deepEqual(
      answers.map((x) => x.limitedBy),
      [undefined, undefined, 'address'],
    );
    await a.verification.idle();
    assert.equal(a.outbox.length, 2);
  });

  test('two requests in flight for one user: only the later link works (the jobs run one at a time)', async () => {
    const a = app({ verification: { queue: { concurrency: 4, maxStartDelayMs: 20 } } });
    // The user changes address right after asking (a double submit and an edit): no idle between.
    for (let i = 0; i < 5; i++) {
      await a.verification.requestVerification({ id: 'u1', email: `old${i}@example.com` }, { client });
    }
    await a.verification.requestVerification({ id: 'u1', email: 'new@example.com' }, { client });
    await a.verification.idle();
    assert.equal(a.outbox.length, 6);
    const results = [];
    for (const m of a.outbox) results.push([m.to, await a.verification.completeVerification(tokenOf(m))]);
    assert.deepEqual(
      results.filter(([, r]) => r !== null),
      [['new@example.com', { userId: 'u1', email: 'new@example.com' }]],
    );
    // In the order asked: the last link mailed is the newest address.
    assert.equal(a.outbox.at(-1).to, 'new@example.com');
  });

  test('per account: spellings of the address in separate address buckets get the account its share of mails only', async () => {
    const { registrationLimits, REGISTRATION_DEFAULTS } = await import('start-guard');
    assert.deepEqual(REGISTRATION_DEFAULTS.perAccount, { capacity: 3, refillPerSecond: 1 / 900 });
    const a = app({
      verification: { limits: registrationLimits({ name: `t-verify-account-${process.pid}` }) },
    });
    // Sub-address tags: the address buckets see seven addresses (invisible characters would be
    // folded into one by the bucket key), the account bucket one user.
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const answers = [];
    for (const [i, tag] of tags.entries()) {
      answers.push(
        await a.verification.requestVerification(
          { id: 'u-ada', email: `ada+${tag}@example.com` },
          { client: `k${i}` },
        ),
      );
    }
    assert.ok(answers.every((x) => x.allowed));
    await a.verification.idle();
    assert.equal(a.outbox.length, 3);
    assert.equal(
      a.events.filter((e) => e.type === 'verify.failed' && e.reason === 'account_limit').length,
      4,
    );
  });

  test('ttlSeconds: a verification link lives at most seven days', async () => {
    const { createEmailVerification } = await import('start-guard');
    const a = app();
    const options = { tokens: a.tokens, url: 'https://app.example.com/verify', send: async () => {} };
    assert.throws(() => createEmailVerification({ ...options, ttlSeconds: 24 * 3600 * 1000 }), {
      code: 'ERR_OUT_OF_RANGE',
      message: /604800 \(7 days\) for a 'verify' link.*seconds, not milliseconds/,
    });
    assert.ok(createEmailVerification({ ...options, ttlSeconds: 7 * 86400 }));
  });

  test('arguments: the user object is checked', async () => {
    const a = app();
    await assert.rejects(a.verification.requestVerification(null, { client }), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await assert.rejects(a.verification.requestVerification({ id: 'u' }, { client }), {
      message: /"user.email"/,
    });
    await assert.rejects(a.verification.requestVerification({ id: 'u', email: 'a@b.c' }), {
      message: /"options"/,
    });
  });
});
