// The timing of requestReset says nothing about whether an account exists: medians over
// alternating runs for a known and an unknown address stay within 10%. The known path's work
// (a token written to a file and a mail taking 3 ms to send) happens after the answer; a control
// runs the same measurement on an implementation that waits for that work, and must see it (on
// the memory store: an unknown address's decoy writes the file too, so the difference the
// control must see is the mail). The queue's random start delay is off here (it delays only the
// work, never the answer, and would add up to 50 ms to each drain); password-reset-probe
// measures what it is for.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createFileTokenStore, createMemoryTokenStore } from 'start-guard';
import { app } from './support/flows.mjs';

const dir = mkdtempSync(join(tmpdir(), 'start-guard-reset-timing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROUNDS = 150;
const ATTEMPTS = 5;
const client = { ip: '203.0.113.9', limitKey: '203.0.113.9' };

function median(values) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

/**
 * Alternates the known and the unknown address (which one goes first flips each round), timing
 * `call` until it resolves; between calls the queue drains untimed, so one call's work never
 * lands in the next one's measurement. Returns the ratio of the medians, known / unknown.
 */
async function ratioOfMedians(a, call) {
  const known = [];
  const unknown = [];
  const once = async (address, into) => {
    const t0 = process.hrtime.bigint();
    await call(address);
    into.push(Number(process.hrtime.bigint() - t0));
    await a.reset.idle();
  };
  for (let i = 0; i < 20; i++) await once(i % 2 ? 'ada@example.com' : 'nobody@example.com', []); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      await once('ada@example.com', known);
      await once('nobody@example.com', unknown);
    } else {
      await once('nobody@example.com', unknown);
      await once('ada@example.com', known);
    }
  }
  return { ratio: median(known) / median(unknown), known: median(known), unknown: median(unknown) };
}

function makeApp(tokenStore = createFileTokenStore({ path: join(dir, `tokens-${Math.random()}`) })) {
  const a = app({
    tokenStore,
    limits: {
      perClient: { capacity: 10_000, refillPerSecond: 1 },
      perAddress: { capacity: 10_000, refillPerSecond: 1 },
    },
    reset: {
      send: async () => new Promise((r) => setTimeout(r, 3)), // a mail server that takes 3 ms
      queue: { maxStartDelayMs: 0 },
    },
  });
  return a;
}

test('requestReset: known and unknown addresses answer in the same time (medians within 10%)', async () => {
  const a = makeApp();
  const seen = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const r = await ratioOfMedians(a, (address) => a.reset.requestReset(address, { client }));
    seen.push(
      `${r.ratio.toFixed(3)} (known ${(r.known / 1000).toFixed(1)} µs, unknown ${(r.unknown / 1000).toFixed(1)} µs)`,
    );
    if (process.env.SG_TIMING_DEBUG) console.error(seen.at(-1));
    if (r.ratio >= 1 / 1.1 && r.ratio <= 1.1) return;
  }
  assert.fail(`medians differ by more than 10% in every attempt: ${seen.join('; ')}`);
});

test('control: the same measurement sees the work when the answer waits for it', async () => {
  const a = makeApp(createMemoryTokenStore());
  // What a naive implementation does: look up, issue, send, then answer.
  const waits = async (address) => {
    await a.reset.requestReset(address, { client });
    await a.reset.idle();
  };
  const r = await ratioOfMedians(a, waits);
  assert.ok(r.ratio > 1.5, `ratio ${r.ratio.toFixed(2)}: known ${r.known} ns, unknown ${r.unknown} ns`);
});
