// Redis Cluster: the stores with a node-redis cluster client (createCluster) on a real cluster of
// three masters. Every script touches one key, so no CROSSSLOT; isRevoked's two GETs are routed
// to their own nodes. The rate-limit store contract runs here too.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRateLimiter, createSessionManager } from 'start-guard';
import { createRedisRateLimitStore, createRedisRevocationStore } from 'start-guard/redis';
import { createCluster } from 'redis';
import { rateStoreContract } from '../js/support/rate-store-contract.mjs';
import { startRedisCluster } from './support/redis-server.mjs';

const cluster = await startRedisCluster();
const client = createCluster({ rootNodes: cluster.rootNodes });
client.on('error', () => {});
await client.connect();
after(async () => {
  await client.close();
  await cluster.stop();
});

rateStoreContract('redis cluster', async () => {
  const store = createRedisRateLimitStore({ client });
  return { store, close: () => store.close() };
});

test('buckets and revocations spread over every master; one limit, one revocation list', async () => {
  const store = createRedisRateLimitStore({ client });
  const limiter = createRateLimiter({
    name: `cluster-${process.pid}`,
    store,
    capacity: 2,
    refillPerSecond: 0.01,
  });
  for (let i = 0; i < 60; i++) {
    assert.equal((await limiter.take(`client-${i}`, 2)).allowed, true);
    assert.equal((await limiter.take(`client-${i}`)).allowed, false);
  }
  const sessions = createSessionManager({
    secrets: 'a cluster-backed secret of 32 bytes or more',
    revocation: createRedisRevocationStore({ client }),
    cookie: { insecureDevelopment: true },
  });
  const cookies = [];
  for (let i = 0; i < 30; i++) {
    const issued = sessions.create(`user-${i}`, null);
    cookies.push(issued.setCookie.split(';')[0]);
    if (i % 2) await sessions.destroy(issued.session);
  }
  for (let i = 0; i < 30; i++)
    assert.equal((await sessions.read(cookies[i])) === null, i % 2 === 1, `session ${i}`);
  // Every master holds some of the keys: the routing is real.
  for (const node of cluster.nodes) {
    const { createClient } = await import('redis');
    const direct = createClient({ url: node.url });
    await direct.connect();
    assert.ok((await direct.dbSize()) > 0, `node ${node.port} holds keys`);
    await direct.close();
  }
});
