// createPasswordHasher: the password policy over the native engines (lib/passwords/engine.ts).
// New hashes are Argon2id under the policy; verify takes any Argon2 string and bcrypt; needsRehash
// and verifyAndRehash move every account to the policy as its user signs in.
//
// Enumeration defense (OWASP Authentication Cheat Sheet; ASVS 5.0 6.3.8): whenever there is no
// usable stored hash (no account, an empty or malformed value, an unknown scheme, a value over
// the ceilings, a pepper no longer configured), verify runs a dummy verify: a PHC string under
// the current policy with a random tag, so it costs exactly one hash of the policy, as a wrong
// password on an account hashed under the policy does, and never matches. Made once, lazily,
// without hashing (so the first request of a cold start waits for no extra hash), and taken
// through the same steps as a real stored string.
import { StartGuardError, isStartGuardError, serverOnlyError } from '../errors';
import { emit } from '../events';
import { native, serverRuntime } from '../native';
import {
  argon2Hash,
  argon2Parse,
  argon2Verify,
  bcryptParse,
  bcryptVerify,
  hashPoolAdmits,
  hashPoolStats,
  requestHashPool,
} from './engine';
import { checkSize, checkType, codePoints, prepare, utf8 } from './input';
import { type PasswordHasherOptions, resolvePolicy } from './options';
import { markedSalt, saltForm } from './salt';

export interface PasswordHasher {
  /** A new Argon2id PHC string under the policy. Policy refusals are StartGuardErrors. */
  hash(password: string): Promise<string>;
  /**
   * True when the password matches. `null`/`undefined` (an unknown account) and any stored value
   * that cannot be checked cost one hash (the dummy) and give false.
   */
  verify(stored: string | null | undefined, password: string): Promise<boolean>;
  /** verify, plus a new hash under the policy when the stored one needs it (for the sign-in). */
  verifyAndRehash(stored: string | null | undefined, password: string): Promise<VerifyAndRehashResult>;
  /** True unless `stored` is a start-guard hash made under exactly this policy. */
  needsRehash(stored: string | null | undefined): boolean;
}

export interface VerifyAndRehashResult {
  valid: boolean;
  /** The new hash to save, when the password was right and the stored hash is not the policy's. */
  rehash?: string;
}

const BCRYPT_MAX_BYTES = 72;
const OVERLOAD_EVENT_INTERVAL_MS = 10_000;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/** What to hash for one stored value: an engine call per candidate, stopping at a match. */
interface Plan {
  kind: 'argon2' | 'bcrypt';
  stored: string;
  secret: Uint8Array | null;
  candidates: Uint8Array[];
}

export function createPasswordHasher(options?: PasswordHasherOptions): PasswordHasher {
  const policy = resolvePolicy(options);
  if (!serverRuntime) return inertHasher;
  // Checked before asking anything of the pool: a hasher that cannot work changes nothing.
  const budgetKiB =
    policy.memoryBudgetMiB === undefined ? hashPoolStats().memoryBudgetKiB : policy.memoryBudgetMiB * 1024;
  if (budgetKiB < policy.m) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `the process's hashing memory budget (${Math.floor(budgetKiB / 1024)} MiB) cannot hold one hash of m=${policy.m} KiB`,
    );
  }
  const pool = requestHashPool({
    ...(policy.concurrency === undefined ? {} : { threads: policy.concurrency }),
    ...(policy.maxQueue ? { maxQueue: policy.maxQueue } : {}),
    ...(policy.memoryBudgetMiB === undefined ? {} : { memoryBudgetKiB: policy.memoryBudgetMiB * 1024 }),
    arenaKiB: policy.m,
  });
  // This hasher's own bound: its calls running (at most one per pool thread) plus maxQueue waiting.
  const maxInFlight = policy.maxQueue === undefined ? Infinity : pool.threads + policy.maxQueue;
  let inFlight = 0;
  let lastOverloadEvent = -Infinity;
  let dummy: string | undefined;

  const overloaded = (err: unknown): void => {
    if (!isStartGuardError(err, 'ERR_HASH_OVERLOADED')) return;
    const now = Date.now();
    if (now - lastOverloadEvent < OVERLOAD_EVENT_INTERVAL_MS) return;
    lastOverloadEvent = now;
    emit(policy.onEvent, {
      type: 'hash.overloaded',
      at: now,
      reason: /memory/.test(err.message) ? 'memory' : 'queue',
    });
  };

  const refuse = (why: string): never => {
    const err = new StartGuardError('ERR_HASH_OVERLOADED', why);
    overloaded(err);
    throw err;
  };

  /**
   * Refuses at once, before any work, what the pool or this hasher's bound would refuse: under a
   * flood the excess must cost little (no normalization, salt or engine call).
   */
  function admission(): void {
    if (inFlight >= maxInFlight) refuse("this hasher's queue is full (maxQueue)");
    const pool = hashPoolAdmits(policy.m);
    if (pool === 1) refuse('the password hashing queue is full');
    if (pool === 2) refuse('the password hashing memory budget is exhausted');
  }

  /** Runs one engine call under this hasher's bound; the bytes are wiped once it is submitted. */
  async function admitted<T>(bytes: Uint8Array, call: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    if (inFlight >= maxInFlight) {
      bytes.fill(0);
      refuse("this hasher's queue is full (maxQueue)");
    }
    inFlight++;
    try {
      let pending: Promise<T>;
      try {
        pending = call(bytes); // the binding copies the bytes before it returns
      } finally {
        bytes.fill(0);
      }
      return await pending;
    } catch (err) {
      overloaded(err);
      throw err;
    } finally {
      inFlight--;
    }
  }

  function hashPrepared(prepared: string): Promise<string> {
    return admitted(utf8(prepared), (bytes) =>
      argon2Hash(bytes, {
        variant: 'argon2id',
        memoryKiB: policy.m,
        passes: policy.t,
        parallelism: policy.p,
        tagLength: policy.tagLength,
        salt: markedSalt(policy.saltLength, policy.form),
        ...(policy.pepper === null ? {} : { secret: policy.pepper.secret, keyid: policy.pepper.id }),
      }),
    );
  }

  async function hash(password: string): Promise<string> {
    checkType(password);
    if (password.length === 0) {
      if (!policy.allowEmpty) throw new StartGuardError('ERR_PASSWORD_EMPTY', 'the password is empty');
      return hashPrepared(''); // allowed on purpose: minPasswordLength is for the others
    }
    checkSize(password, policy.maxPasswordBytes);
    admission();
    const prepared = prepare(password, policy.form);
    checkSize(prepared, policy.maxPasswordBytes);
    if (codePoints(prepared) < policy.minPasswordLength) {
      throw new StartGuardError(
        'ERR_PASSWORD_TOO_SHORT',
        `the password must be at least ${policy.minPasswordLength} characters`,
      );
    }
    return hashPrepared(prepared);
  }

  /** The dummy stored string: the policy's parameters and pepper, a random tag. */
  function dummyHash(): string {
    if (dummy === undefined) {
      const b = native();
      const keyid = policy.pepper === null ? '' : `,keyid=${policy.pepper.id}`;
      dummy =
        `$argon2id$v=19$m=${policy.m},t=${policy.t},p=${policy.p}${keyid}` +
        `$${b64(markedSalt(policy.saltLength, policy.form))}$${b64(b.randomBytes(policy.tagLength))}`;
    }
    return dummy;
  }

  /** Distinct byte strings to try, in order (the first is the likeliest). */
  function distinct(strings: string[], bcrypt: boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const s of strings) {
      let bytes = utf8(s);
      if (bcrypt && bytes.length > BCRYPT_MAX_BYTES) {
        if (!policy.legacyBcryptTruncate) continue; // refused, never truncated
        bytes = bytes.slice(0, BCRYPT_MAX_BYTES); // as the library that made the hash did
      }
      if (out.some((o) => Buffer.compare(o, bytes) === 0)) continue;
      out.push(bytes);
    }
    return out;
  }

  /** What checking `stored` takes, or null when it cannot be checked (then the dummy runs). */
  function planFor(stored: string, password: string): Plan | null {
    if (stored.startsWith('$argon2')) {
      const info = argon2Parse(stored, policy.ceilings);
      if (info === null) return null;
      let secret: Uint8Array | null = null;
      if (info.keyid !== null) {
        secret = policy.peppers.get(info.keyid) ?? null;
        if (secret === null) return null; // a pepper no longer configured
      }
      const parts = stored.split('$');
      const form = saltForm(parts[parts.length - 2]!);
      // start-guard's own hash: the password as it was prepared then, one hash. Made elsewhere:
      // the input as typed, then the policy's form when that differs.
      const strings = form === null ? [password, prepare(password, policy.form)] : [prepare(password, form)];
      return { kind: 'argon2', stored, secret, candidates: distinct(strings, false) };
    }
    if (stored.startsWith('$2')) {
      const info = bcryptParse(stored);
      if (info === null || info.cost > policy.maxBcryptCost) return null;
      const candidates = distinct([password, prepare(password, policy.form)], true);
      return candidates.length === 0 ? null : { kind: 'bcrypt', stored, secret: null, candidates };
    }
    return null;
  }

  async function run(plan: Plan): Promise<boolean> {
    let valid = false;
    for (let i = 0; i < plan.candidates.length; i++) {
      const bytes = plan.candidates[i]!;
      if (valid) {
        bytes.fill(0);
        continue;
      }
      valid = await admitted(bytes, (b) =>
        plan.kind === 'argon2'
          ? argon2Verify(plan.stored, b, plan.secret, policy.ceilings)
          : bcryptVerify(plan.stored, b),
      ).catch((err: unknown) => {
        for (const rest of plan.candidates.slice(i + 1)) rest.fill(0);
        throw err;
      });
    }
    return valid;
  }

  async function check(stored: unknown, password: unknown): Promise<boolean> {
    checkType(password);
    if (stored !== null && stored !== undefined && typeof stored !== 'string') {
      throw new TypeError('The "stored" argument must be a string, null or undefined');
    }
    checkSize(password, policy.maxPasswordBytes);
    if (password.length === 0 && !policy.allowEmpty) return false; // the same for every account
    admission();
    checkSize(prepare(password, policy.form), policy.maxPasswordBytes);
    const plan =
      (typeof stored === 'string' ? planFor(stored, password) : null) ?? planFor(dummyHash(), password)!;
    const valid = await run(plan);
    return valid && plan.stored !== dummy;
  }

  /** The minVerifyMs floor: every answer (true or false) waits until it has passed. */
  async function floored<T>(work: Promise<T>, started: number): Promise<T> {
    const value = await work;
    // A timer counts from the loop's cached clock, which may lag: wait again until it has passed.
    for (let wait; (wait = started + policy.minVerifyMs - performance.now()) > 0;) {
      await new Promise((r) => setTimeout(r, Math.ceil(wait)));
    }
    return value;
  }

  function verify(stored: string | null | undefined, password: string): Promise<boolean> {
    const started = performance.now();
    return floored(check(stored, password), started);
  }

  function needsRehash(stored: string | null | undefined): boolean {
    if (typeof stored !== 'string' || !stored.startsWith('$argon2')) return true;
    const info = argon2Parse(stored, policy.ceilings);
    if (info === null) return true;
    const parts = stored.split('$');
    // Every difference counts, stronger or weaker: a hash under the policy costs what the dummy
    // costs, so converging on it closes the timing differences between accounts too.
    return (
      info.variant !== 'argon2id' ||
      info.version !== 19 ||
      info.memoryKiB !== policy.m ||
      info.passes !== policy.t ||
      info.parallelism !== policy.p ||
      info.tagLength !== policy.tagLength ||
      info.saltLength !== policy.saltLength ||
      info.associatedDataLength !== 0 ||
      info.keyid !== (policy.pepper?.id ?? null) ||
      saltForm(parts[parts.length - 2]!) !== policy.form
    );
  }

  async function verifyAndRehash(
    stored: string | null | undefined,
    password: string,
  ): Promise<VerifyAndRehashResult> {
    const valid = await verify(stored, password);
    if (!valid || !needsRehash(stored)) return { valid };
    try {
      // The user's existing password, signing in: minPasswordLength applies to new passwords only.
      return { valid, rehash: await hashPrepared(prepare(password, policy.form)) };
    } catch (err) {
      // An overloaded pool must not fail a sign-in that succeeded: the upgrade waits for the next.
      if (isStartGuardError(err, 'ERR_HASH_OVERLOADED')) return { valid };
      throw err;
    }
  }

  return { hash, verify, verifyAndRehash, needsRehash };
}

const serverOnly = async (): Promise<never> => {
  throw serverOnlyError();
};

/** The browser build's hasher: options are checked, every method throws ERR_SERVER_ONLY. */
const inertHasher: PasswordHasher = {
  hash: serverOnly,
  verify: serverOnly,
  verifyAndRehash: serverOnly,
  needsRehash: () => {
    throw serverOnlyError();
  },
};

export type { PasswordHasherOptions } from './options';
