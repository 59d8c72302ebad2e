// A server for password-reset-probe.test.mjs, in its own process as an app would be: node:http,
// keep-alive, requestReset over the memory token store, and a `send` that spends 1 ms of CPU on
// the event loop (template rendering, MIME building) before a 3 ms wait for the mail server.
// PROBE_MAX_START_DELAY_MS sets the queue's maxStartDelayMs (unset: the default). It reports its
// port over IPC and runs until killed.
import http from 'node:http';
import {
  createMemoryRevocationStore,
  createMemoryTokenStore,
  createPasswordReset,
  createSingleUseTokens,
  resetLimits,
} from 'start-guard';

const busy = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const users = new Map([['ada@example.com', { id: 'u-ada', email: 'ada@example.com' }]]);
const delay = process.env.PROBE_MAX_START_DELAY_MS;
const many = { capacity: 1e6, refillPerSecond: 1e3 };
const reset = createPasswordReset({
  tokens: createSingleUseTokens({ store: createMemoryTokenStore() }),
  url: 'https://app.example.com/reset',
  findUser: async (identifier) => users.get(identifier) ?? null,
  send: async () => {
    busy(1);
    await new Promise((r) => setTimeout(r, 3));
  },
  savePassword: async () => {},
  revocation: createMemoryRevocationStore(),
  limits: resetLimits({ name: `probe-${process.pid}`, perClient: many, perAddress: many, perAccount: many }),
  queue: delay === undefined ? {} : { maxStartDelayMs: Number(delay) },
});
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', async () => {
    const answer = await reset.requestReset(body, { client: { ip: '203.0.113.1', limitKey: '203.0.113.1' } });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
