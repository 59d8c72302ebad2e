// Users and notes in SQLite, through libsql (Turso's SQLite, with the better-sqlite3 API). Why this
// one: it ships its compiled library inside npm packages (@libsql/linux-x64-gnu and the other
// platforms as optional dependencies) and has no install script, so it installs on a machine that
// reaches only the npm registry and with install scripts off (npm 11's direction, pnpm 10, Bun).
// better-sqlite3 and sqlite3 download a prebuilt binary from GitHub in their install script and
// fall back to compiling (which downloads Node's headers): both fail there. A file on disk
// survives a restart.
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import type { User } from '../users';
import { settings } from './config.server';

export interface NoteRow {
  id: number;
  body: string;
  createdAt: number;
}

const SCHEMA = `
create table if not exists users (
  id text primary key,
  email text not null unique,
  name text not null,
  password_hash text not null,
  roles text not null default '[]',
  email_verified_at integer,
  created_at integer not null
);
create table if not exists notes (
  id integer primary key autoincrement,
  user_id text not null references users(id) on delete cascade,
  body text not null,
  created_at integer not null
);
create index if not exists notes_by_user on notes(user_id, id);
`;

type Raw = Record<string, unknown>;

function toUser(row: unknown): User | null {
  if (row === undefined || row === null) return null;
  const r = row as Raw;
  return {
    id: String(r.id),
    email: String(r.email),
    name: String(r.name),
    passwordHash: String(r.password_hash),
    roles: JSON.parse(String(r.roles)) as string[],
    emailVerifiedAt: r.email_verified_at === null ? null : Number(r.email_verified_at),
    createdAt: Number(r.created_at),
  };
}

function open() {
  const path = join(settings().dataDir, 'app.db');
  // The database and its -wal and -shm files hold password hashes: this user's only. SQLite makes
  // them with the umask's mode, so the umask is tightened while they are made, and files made
  // before (under a looser umask) are set to 0600.
  const umask = process.umask(0o077);
  let db;
  try {
    db = new Database(path);
    // WAL with synchronous=NORMAL: a commit survives a crash of the app (not of the machine)
    // without an fsync per write; the revocation and token stores, which must survive both, sync
    // their own files.
    db.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on;');
    db.exec(SCHEMA);
  } finally {
    process.umask(umask);
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const q = {
    count: db.prepare('select count(*) as n from users'),
    byId: db.prepare('select * from users where id = ?'),
    byEmail: db.prepare('select * from users where email = ?'),
    insert: db.prepare(
      `insert into users (id, email, name, password_hash, roles, created_at)
       values (?, ?, ?, ?, ?, ?) on conflict (email) do nothing`,
    ),
    setHash: db.prepare('update users set password_hash = ? where id = ?'),
    verify: db.prepare('update users set email_verified_at = ? where id = ? and email = ?'),
    all: db.prepare('select * from users order by created_at, email'),
    notes: db.prepare('select id, body, created_at from notes where user_id = ? order by id desc limit 50'),
    addNote: db.prepare('insert into notes (user_id, body, created_at) values (?, ?, ?)'),
    noteCount: db.prepare('select user_id, count(*) as n from notes group by user_id'),
  };
  return q;
}

let queries: ReturnType<typeof open> | undefined;
const q = () => (queries ??= open());
const now = () => Math.floor(Date.now() / 1000);

export const users = {
  count: (): number => Number((q().count.get() as Raw).n),
  byId: (id: string): User | null => toUser(q().byId.get(id)),
  byEmail: (email: string): User | null => toUser(q().byEmail.get(email)),
  /** A new user, or null when the address is taken (the caller answers the same either way). */
  insert(u: { email: string; name: string; passwordHash: string; roles?: string[] }): User | null {
    const id = randomBytes(12).toString('base64url');
    const r = q().insert.run(id, u.email, u.name, u.passwordHash, JSON.stringify(u.roles ?? []), now());
    return r.changes === 1 ? users.byId(id) : null;
  },
  setPasswordHash(id: string, passwordHash: string): void {
    q().setHash.run(passwordHash, id);
  },
  /** Marks the address verified, only if it is still the user's. */
  markVerified(id: string, email: string): boolean {
    return q().verify.run(now(), id, email).changes === 1;
  },
  all: (): User[] =>
    q()
      .all.all()
      .map((r) => toUser(r)!),
};

export const notes = {
  list: (userId: string): NoteRow[] =>
    q()
      .notes.all(userId)
      .map((r) => {
        const row = r as Raw;
        return { id: Number(row.id), body: String(row.body), createdAt: Number(row.created_at) };
      }),
  add(userId: string, body: string): void {
    q().addNote.run(userId, body, now());
  },
  countsByUser(): Map<string, number> {
    return new Map(
      q()
        .noteCount.all()
        .map((r) => [String((r as Raw).user_id), Number((r as Raw).n)]),
    );
  },
};
