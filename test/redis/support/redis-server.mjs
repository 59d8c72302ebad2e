// A real redis-server for the tests: its own free loopback port and temporary directory, started,
// killed, paused and restarted on demand, and always stopped when the test process exits.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** Sends PING over a raw socket; true on +PONG (false while refused, loading or paused). */
function ping(port, timeoutMs = 200) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.on('connect', () => socket.write('PING\r\n'));
  });
}

/**
 * Starts redis-server. `aof: true` turns on the append-only file with an fsync per write, so a
 * SIGKILL loses nothing that was acknowledged.
 */
export async function startRedis({ aof = false, args: extra = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'start-guard-redis-'));
  const port = await freePort();
  let child;

  async function start() {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      aof ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--logfile',
      join(dir, 'redis.log'),
      ...extra,
    ];
    child = spawn('redis-server', args, { stdio: 'ignore' });
    running.add(child);
    const c = child;
    c.once('exit', () => running.delete(c));
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode} (port ${port})`);
      if (Date.now() > deadline) throw new Error('redis-server did not answer PING within 10 s');
      await sleep(20);
    }
  }

  async function kill(signal = 'SIGKILL') {
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    /** SIGKILL: no shutdown, no final save (only the AOF's fsynced writes survive). */
    kill: () => kill('SIGKILL'),
    /** Starts it again on the same port and directory (the AOF is replayed). */
    restart: start,
    /** SIGSTOP: the socket stays open and nothing answers (a hung server). */
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      child.kill('SIGCONT');
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Redis Cluster of `masters` nodes (no replicas) on loopback, its 16384 slots spread by
 * redis-cli, ready when every node reports cluster_state:ok.
 */
export async function startRedisCluster({ masters = 3 } = {}) {
  const nodes = [];
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    const run = promisify(execFile);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 20_000;
    for (const n of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(n.port), 'cluster', 'info']);
        if (/cluster_state:ok/.test(stdout)) break;
        if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok');
        await sleep(50);
      }
    }
  } catch (error) {
    for (const n of nodes) await n.stop();
    throw error;
  }
  return {
    nodes,
    rootNodes: nodes.map((n) => ({ url: n.url })),
    async stop() {
      for (const n of nodes) await n.stop();
    },
  };
}
