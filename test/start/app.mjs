// The built test app (prepared by scripts/start-app.sh in START_APP_DIR), served by srvx on a free
// loopback port, and called over HTTP the way a browser or an attacker would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverFnIdsIn } from '../support/server-fn-ids.mjs';

export const appDir = process.env.START_APP_DIR;
if (!appDir) throw new Error('START_APP_DIR is not set: run these tests through scripts/start-app.sh');

export const SECRET = 'start-guard-test-app-secret-0123456789abcdef';
/** The old iron-sealed cookie's password (migrate.iron in the app). */
export const IRON_PASSWORD = 'start-guard-test-app-iron-password-0123456789';
export const client = await import(pathToFileURL(join(appDir, 'test-client.mjs')).href);

/** Server-function ids by export name, read from the production manifest. */
export const serverFnIds = (dir = appDir) => serverFnIdsIn(dir);

/** Starts the production server (of `dir`, default the test app); `env` adds variables. */
export async function startApp(env = {}, { dir: cwd = appDir } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'start-guard-app-'));
  const child = spawn(
    process.execPath,
    [
      'node_modules/srvx/bin/srvx.mjs',
      'serve',
      '--prod',
      '--entry',
      'dist/server/server.js',
      '--static',
      '../client',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ],
    {
      cwd,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        SESSION_SECRET: SECRET,
        REVOCATION_PATH: join(dir, 'revocations'),
        IRON_PASSWORD,
        APP_URL: 'https://app.example',
        MIGRATE_UNTIL: String(Math.floor(Date.now() / 1000) + 3600),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
    const onData = (chunk) => {
      log += chunk;
      const m = /Listening on:\s*(http:\/\/127\.0\.0\.1:\d+)/.exec(log.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  const ids = serverFnIds(cwd);
  const app = {
    base,
    ids,
    log: () => log,
    async stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    /**
     * Calls a server function by export name. `origin: null` sends no Origin header; headers add
     * or override. Returns { status, headers, text, body } with the body decoded like Start's client.
     */
    async call(name, { method, data, cookie, origin = base, headers = {} } = {}) {
      const id = ids[name];
      if (!id) throw new Error(`no server function ${name}`);
      const h = { 'x-tsr-serverFn': 'true', accept: 'application/json', ...headers };
      if (origin !== null) h.origin = origin;
      if (cookie) h.cookie = cookie;
      let url = `${base}/_serverFn/${id}`;
      let body;
      const m = method ?? 'GET';
      if (data !== undefined) {
        const p = await client.payload(data);
        if (m === 'GET') url += `?payload=${encodeURIComponent(p)}`;
        else {
          body = p;
          h['content-type'] = 'application/json';
        }
      }
      const res = await fetch(url, { method: m, headers: h, body, redirect: 'manual' });
      const text = await res.text();
      let decoded;
      try {
        decoded = client.decode(text);
      } catch {
        decoded = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: decoded };
    },
    async fetch(path, init = {}) {
      const res = await fetch(base + path, { redirect: 'manual', ...init });
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    async handlerCalls() {
      const r = await app.call('handlerCalls');
      return r.body.result ?? r.body;
    },
  };
  return app;
}
