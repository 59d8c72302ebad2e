// The example app's production build (prepared by scripts/example-e2e.sh in EXAMPLE_APP_DIR),
// served the way scripts/example-serve.sh serves it (the example's server.mjs, NODE_ENV=production,
// EXAMPLE_DEMO=1 unless a test says otherwise) on a free
// loopback port with its own data folder, and called over HTTP the way a browser or an attacker
// would. What a client needs (seroval, Start's plugins, start-guard) comes from the app's own
// node_modules (client.mjs), so the tests see exactly what was installed from the tarball.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverFnIdsIn } from '../support/server-fn-ids.mjs';

export const appDir = process.env.EXAMPLE_APP_DIR;
if (!appDir) throw new Error('EXAMPLE_APP_DIR is not set: run these tests through scripts/example-e2e.sh');

const wire = await import(pathToFileURL(join(appDir, 'e2e-client.mjs')).href);
/** start-guard as the app installed it (the packed tarball). */
export const { core } = wire;

export const SECRET = 'start-guard-example-e2e-secret-0123456789abcdef';

/** Server-function ids by export name, from the production manifest. */
export const serverFnIds = (dir = appDir) => serverFnIdsIn(dir);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A session cookie as the app issues it (same secret), for times the tests cannot wait for. */
export function mintCookie(userId, { nowMs, authTime } = {}) {
  const sessions = core.createSessionManager({
    secrets: SECRET,
    revocation: core.createMemoryRevocationStore(),
    ...(nowMs === undefined ? {} : { nowMs: () => nowMs }),
  });
  const { setCookie } = sessions.create(userId, {}, authTime === undefined ? {} : { authTime });
  return setCookie.split(';')[0];
}

/** The session cookie a response sets (name=value), or null (none, or one that clears it). */
export function cookieOf(res) {
  const set = res.headers.getSetCookie().find((c) => /^__Host-session=[^;]/.test(c));
  return set === undefined ? null : set.split(';')[0];
}

/** The mails the development mailer wrote, newest last: { to, subject, text, links }. */
export function mails(dataDir) {
  let text;
  try {
    text = readFileSync(join(dataDir, 'mail.mbox'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/^From no-reply@localhost .*\n/m)
    .filter((m) => m.trim() !== '')
    .map((m) => {
      const [head, ...body] = m.split('\n\n');
      const header = (name) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1];
      const bodyText = body.join('\n\n');
      return {
        to: header('To'),
        subject: header('Subject'),
        text: bodyText,
        links: [...bodyText.matchAll(/https?:\/\/\S+/g)].map((l) => l[0]),
      };
    });
}

/** Waits for a mail to `to` whose subject matches (the flows send after answering). */
export async function waitForMail(dataDir, to, subject, { after = 0, timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = mails(dataDir)
      .slice(after)
      .find((m) => m.to === to && subject.test(m.subject));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The demo accounts the app made on its first request: [{ email, password, admin }]. */
export function demoAccounts(dataDir) {
  return readFileSync(join(dataDir, 'demo-accounts.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [email, password] = l.split(' ');
      return { email, password, admin: l.includes('(admin)') };
    });
}

/**
 * Starts the production server with a data folder of its own (or `dataDir`, to restart on the
 * same data). Resolves once the home page answers (its first request makes the demo accounts).
 * `nodeArgs` go to node (--cpu-prof); `quiet` drops the access log (benchmarks); `dir`
 * serves another build of the example (a variant).
 */
export async function startApp({
  env = {},
  dataDir,
  port,
  nodeArgs = [],
  quiet = false,
  dir: buildDir = appDir,
} = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'start-guard-example-'));
  const listen = port ?? (await freePort());
  const base = `http://127.0.0.1:${listen}`;
  // `env: { NAME: undefined }` leaves NAME out (the app's default).
  const childEnv = Object.fromEntries(
    Object.entries({
      ...process.env,
      NODE_ENV: 'production',
      EXAMPLE_DEMO: '1',
      HOST: '127.0.0.1',
      PORT: String(listen),
      DATA_DIR: dir,
      APP_URL: base,
      SESSION_SECRET: SECRET,
      ...env,
    }).filter(([, value]) => value !== undefined),
  );
  const child = spawn(process.execPath, [...nodeArgs, 'server.mjs'], {
    cwd: buildDir,
    env: childEnv,
    stdio: ['ignore', quiet ? 'ignore' : 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  let exitCode;
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve((exitCode = code ?? 'signal'))));
  for (const deadline = Date.now() + 30_000; ;) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`server did not answer:\n${log}`);
    const home = await fetch(base + '/').catch(() => null);
    if (home?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ids = serverFnIds(buildDir);
  const app = {
    base,
    port: listen,
    dataDir: dir,
    ids,
    log: () => log,
    /**
     * Stops the server (SIGTERM, or `signal`: SIGKILL for a crash); the data folder is kept when
     * `keepData` (for a restart).
     */
    async stop({ keepData = false, signal = 'SIGTERM' } = {}) {
      child.kill(signal);
      await exited;
      if (!keepData && dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
    /**
     * Calls a server function by export name, as Start's client does. `origin: null` sends no
     * Origin; `client` sends X-Forwarded-For (the server trusts 127.0.0.1 as a proxy when started
     * with TRUST_PROXY). Returns { status, headers, text, body, cookie } with the body decoded.
     */
    async call(name, { method = 'GET', data, cookie, origin = base, client, headers = {} } = {}) {
      const id = ids[name];
      if (!id) throw new Error(`no server function ${name}`);
      const h = { 'x-tsr-serverFn': 'true', accept: 'application/json', ...headers };
      if (origin !== null) h.origin = origin;
      if (cookie) h.cookie = cookie;
      if (client) h['x-forwarded-for'] = client;
      let url = `${base}/_serverFn/${id}`;
      let body;
      if (data !== undefined) {
        const p = await wire.payload(data);
        if (method === 'GET') url += `?payload=${encodeURIComponent(p)}`;
        else {
          body = p;
          h['content-type'] = 'application/json';
        }
      }
      const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
      const text = await res.text();
      let decoded;
      try {
        decoded = wire.decode(text);
      } catch {
        decoded = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: decoded, cookie: cookieOf(res) };
    },
    async fetch(path, init = {}) {
      const res = await fetch(base + path, { redirect: 'manual', ...init });
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    /**
     * Registers as a person does: the address, the link from the mail, then the password on the
     * link's page (createAccount). Throws unless the account was made.
     */
    async createUser(email, password, { name = 'Someone', client } = {}) {
      const before = mails(dir).length;
      const r = await app.call('register', { method: 'POST', data: { email }, client });
      if (r.status !== 200) throw new Error(`register failed: ${r.status} ${r.text}`);
      const mail = await waitForMail(dir, email, /Create your account/, { after: before });
      const token = new URL(mail.links[0]).searchParams.get('token');
      const made = await app.call('createAccount', {
        method: 'POST',
        data: { token, name, password },
        client,
      });
      if (made.status !== 200 || made.body?.result?.created !== true) {
        throw new Error(`createAccount failed: ${made.status} ${made.text}`);
      }
    },
    /** Signs in over HTTP; returns the session cookie (throws unless it worked). */
    async signIn(email, password, { remember = false, client } = {}) {
      const r = await app.call('signIn', { method: 'POST', data: { email, password, remember }, client });
      if (r.status !== 200 || r.cookie === null) throw new Error(`sign-in failed: ${r.status} ${r.text}`);
      return r.cookie;
    },
  };
  return app;
}
