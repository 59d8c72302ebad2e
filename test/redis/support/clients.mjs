// node-redis clients for the tests, closed with the test file.
import { after } from 'node:test';
import { createClient } from 'redis';

const open = new Set();
after(async () => {
  for (const c of open) await c.close().catch(() => {});
});

/** A connected client. `listen: false` leaves it without an 'error' listener of the test's own. */
export async function connect(url, { listen = true, ...options } = {}) {
  const client = createClient({ url, ...options });
  if (listen) client.on('error', () => {});
  open.add(client);
  await client.connect();
  return client;
}

/** Waits (at most `ms`) until the client has reconnected. */
export async function ready(client, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!client.isReady) {
    if (Date.now() > deadline) throw new Error('the client did not reconnect');
    await new Promise((r) => setTimeout(r, 20));
  }
}
