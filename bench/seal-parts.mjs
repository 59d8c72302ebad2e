// Where one seal spends its time: the bare binding call, JSON.stringify, the ISO timestamps and
// the jti, against the whole createSealer().seal. Alternating rounds, medians.
import { createSealer, randomBytes } from 'start-guard';
import { native } from '../dist/cjs/native.js';
import { sessionPayload } from './lib/fixtures.mjs';
import { alternate, fmtUs } from './lib/measure.mjs';

const key = randomBytes(32);
const sealer = createSealer({ secrets: key });
const b = native();
const handle = b.localKey(key);
const value = sessionPayload;
const payload = JSON.stringify({
  data: value,
  jti: 'bsyNxYyCx4auBqFUq5Bamw',
  iat: '2026-11-25T12:00:00Z',
  exp: '2026-11-25T13:00:00Z',
});
const footer = '{"kid":"k4.lid.iVtYQDjr5gEijCSjJC3fQaJm7nCeQSeaty0Jixy8dbsk"}';
const parts = await alternate(
  [
    { name: 'binding seal only', fn: () => b.seal(handle, payload, footer, ''), n: 40000 },
    {
      name: 'JSON.stringify',
      fn: () => JSON.stringify({ data: value, jti: 'x', iat: 'y', exp: 'z' }),
      n: 200000,
    },
    {
      name: 'toISOString x2',
      fn: () => new Date(1795618593000).toISOString() + new Date(1795622193000).toISOString(),
      n: 200000,
    },
    { name: 'full seal', fn: () => sealer.seal(value, { ttl: 3600 }), n: 40000 },
  ],
  Number(process.env.ROUNDS ?? 7),
);
for (const [name, r] of parts) console.log(`  ${name.padEnd(28)} ${fmtUs(r.median)}`);
