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
