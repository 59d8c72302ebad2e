// Whether an address has an account must not show in the timing of the NEXT response either.
// An attacker posts a candidate address, and as soon as its (uniform) answer arrives, posts a
// probe and times it: a known address's work (token, e-mail) running on the event loop right
// after the answer slows the probe. The server runs in its own process (test/js/support/
// reset-probe-server.mjs) with a `send` that costs 1 ms of CPU. Medians of the probe after known
// and after unknown candidates, over alternating pairs, must stay within 20% (the work starts
// after a random delay and an unknown address writes a decoy token, so neither lands on the
// probe in particular); a control with the delay off must see the send (over 1.5x), so the
// measurement is shown to be able to fail. Up to 3 attempts each, for a loaded machine.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import http from 'node:http';
import { test } from 'node:test';

const PAIRS = 300;
const WARMUP = 30;
const ATTEMPTS = 3;

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function withServer(env, body) {
  const child = fork(new URL('./support/reset-probe-server.mjs', import.meta.url), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const port = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`probe server exited (${code})`)));
    });
    const post = (address) =>
      new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ text, ns: Number(process.hrtime.bigint() - t0) }));
        });
        req.on('error', reject);
        req.end(address);
      });
    return await body(post);
  } finally {
    agent.destroy();
    child.kill();
  }
}

/** Ratio of the probe's median after a known candidate to its median after an unknown one. */
async function probeRatio(post) {
  const answers = new Set();
  const probe = { known: [], unknown: [] };
  for (let i = 0; i < WARMUP + PAIRS; i++) {
    // known, unknown, unknown, known, …: each kind equally often first in a pair of pairs.
    const kind = i % 4 === 0 || i % 4 === 3 ? 'known' : 'unknown';
    const a = await post(kind === 'known' ? 'ada@example.com' : `nobody${i}@example.com`);
    const p = await post('probe@example.com');
    answers.add(a.text);
    if (i >= WARMUP) probe[kind].push(p.ns);
    await new Promise((r) => setTimeout(r, 8)); // a known address's 1 + 3 ms send is over by then
  }
  assert.equal(answers.size, 1, 'one answer for every address');
  return {
    ratio: median(probe.known) / median(probe.unknown),
    known: median(probe.known),
    unknown: median(probe.unknown),
  };
}

async function attempts(env, ok) {
  return withServer(env, async (post) => {
    const seen = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const r = await probeRatio(post);
      seen.push(
        `${r.ratio.toFixed(2)} (after known ${(r.known / 1000).toFixed(0)} µs, after unknown ${(r.unknown / 1000).toFixed(0)} µs)`,
      );
      if (ok(r.ratio)) return { passed: true, seen };
    }
    return { passed: false, seen };
  });
}

test('the response after a known address is no slower than after an unknown one (medians within 20%)', async (t) => {
  const r = await attempts({}, (ratio) => ratio <= 1.2);
  t.diagnostic(`probe ratios: ${r.seen.join('; ')}`);
  assert.ok(r.passed, `probe ratios: ${r.seen.join('; ')}`);
});

test("control: with the start delay off, the same measurement sees the known address's send", async (t) => {
  const r = await attempts({ PROBE_MAX_START_DELAY_MS: '0' }, (ratio) => ratio > 1.5);
  t.diagnostic(`probe ratios: ${r.seen.join('; ')}`);
  assert.ok(r.passed, `probe ratios: ${r.seen.join('; ')}`);
});
