// The app's settings, from the environment. Server only (*.server.ts: Start refuses to put it in a
// client bundle).
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

export interface Settings {
  /** Users, revocations, tokens, the mail file, the generated secret: one folder, mode 0700. */
  dataDir: string;
  /** The origin of links in e-mails: configuration, never the request's Host header. */
  appUrl: string;
  /** CIDRs of the proxies in front of the app (comma-separated TRUST_PROXY); empty: none. */
  trustProxy: string[];
  /** How recent a sign-in must be to change the password (step-up), in seconds. */
  stepUpSeconds: number;
  sessionSecret: string;
  /**
   * EXAMPLE_DEMO=1 (npm run demo): the demo accounts (passwords in <data>/demo-accounts.txt) and
   * the development mailer (mails to a file and the log). Never on unless asked for.
   */
  demo: boolean;
}

let cached: Settings | undefined;

export function settings(): Settings {
  if (cached !== undefined) return cached;
  const demo = process.env.EXAMPLE_DEMO === '1';
  // The demo has a folder of its own: its accounts (an admin whose password is in a file) never
  // carry over into `npm start`.
  // An empty DATA_DIR (an unset variable in a unit or compose file) would be the working folder.
  if (process.env.DATA_DIR === '')
    throw new Error('DATA_DIR is empty: set it to the data folder, or leave it unset');
  const dataDir = resolve(process.env.DATA_DIR ?? (demo ? '.data-demo' : '.data'));
  if (!demo && existsSync(join(dataDir, 'demo-accounts.txt'))) {
    throw new Error(
      `start-guard example: ${dataDir} holds the demo's accounts (demo-accounts.txt: an admin whose ` +
        `password is in that file). Remove that folder, or set DATA_DIR to another one, before ` +
        `running without EXAMPLE_DEMO=1.`,
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // mkdir's mode applies only to a folder it makes: one made before (mkdir -p under umask 022) is
  // tightened, since it holds password hashes, live tokens and the session secret.
  if ((statSync(dataDir).mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
  tightenFiles(dataDir);
  const stepUpSeconds = Number(process.env.STEP_UP_SECONDS ?? 300);
  if (!Number.isFinite(stepUpSeconds) || stepUpSeconds <= 0) {
    throw new RangeError(`STEP_UP_SECONDS must be a positive number of seconds`);
  }
  cached = {
    dataDir,
    appUrl: process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
    trustProxy: (process.env.TRUST_PROXY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    stepUpSeconds,
    sessionSecret: process.env.SESSION_SECRET ?? localSecret(join(dataDir, 'session-secret')),
    demo,
  };
  return cached;
}

// Entries made before (under a looser umask, by an older version, by hand) lose their group and
// other permissions; the owner's stay (an executable stays one), and the process's umask (077,
// server.mjs) covers what is made from now on. Only the folder's own entries, where the app keeps
// its files: never a walk into sub-folders, and never through a symbolic link (chmod would follow
// it out of the folder).
function tightenFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() && !entry.isDirectory()) continue; // links, sockets: left alone
    const path = join(dir, entry.name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined || stat.isSymbolicLink()) continue;
    if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
  }
}

// Without SESSION_SECRET, a random 256-bit secret made once and kept in the data folder (0600), so
// sessions survive a restart. A deployment sets SESSION_SECRET from its secret store instead.
function localSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process made it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw error;
  }
}
