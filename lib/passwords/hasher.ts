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
  /** Per candidate: bcrypt's first 72 bytes of a longer input (legacyBcryptTruncate). */
  truncated: boolean[];
}

/** What a check found: `truncated` when the match was on the first 72 bytes of a longer input. */
interface Checked {
  valid: boolean;
  truncated: boolean;
}

// Stored strings are parsed up to the engine's own limits, then held to the policy's ceilings
// here, so a well-formed string the policy refuses is told apart from a malformed one (an event).
const ENGINE_LIMITS = { maxMemoryKiB: 0xffffffff, maxPasses: 0xffffffff, maxParallelism: 0xffffff };

export function createPasswordHasher(options?: PasswordHasherOptions): PasswordHasher {
  const policy = resolvePolicy(options);
  if (!serverRuntime) return inertHasher;
  // The pool refuses (ERR_INVALID_OPTION, applying nothing) a budget that cannot hold this
  // hasher's m or any other hasher's in the process, and an explicit argon2Ceilings.m over the
  // budget that would be in force: checked there, atomically across worker_threads.
  const pool = requestHashPool({
    ...(policy.concurrency === undefined ? {} : { threads: policy.concurrency }),
    ...(policy.maxQueue ? { maxQueue: policy.maxQueue } : {}),
    ...(policy.memoryBudgetMiB === undefined ? {} : { memoryBudgetKiB: policy.memoryBudgetMiB * 1024 }),
    arenaKiB: policy.m,
    ...(policy.explicitMaxMemory ? { requiredKiB: policy.ceilings.maxMemoryKiB } : {}),
  });
  // The default ceiling on a stored m is what the budget can hold.
  const ceilings = {
    ...policy.ceilings,
    maxMemoryKiB: Math.min(policy.ceilings.maxMemoryKiB, pool.memoryBudgetKiB),
  };
  // This hasher's own bound: its calls running (at most one per pool thread) plus maxQueue waiting.
  const maxInFlight = policy.maxQueue === undefined ? Infinity : pool.threads + policy.maxQueue;
  let inFlight = 0;
  let lastOverloadEvent = -Infinity;
  const lastUnusableEvent = new Map<string, number>();
  let dummy: string | undefined;

  /**
   * A well-formed Argon2 string this hasher will not check (its account can never sign in): the
   * operator hears of it, at most once per 10 s per reason.
   */
  const unusable = (reason: 'ceilings' | 'memory'): void => {
    const now = Date.now();
    if (now - (lastUnusableEvent.get(reason) ?? -Infinity) < OVERLOAD_EVENT_INTERVAL_MS) return;
    lastUnusableEvent.set(reason, now);
    emit(policy.onEvent, { type: 'hash.unusable', at: now, reason });
  };

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
  function distinct(strings: string[], bcrypt: boolean): Pick<Plan, 'candidates' | 'truncated'> {
    const candidates: Uint8Array[] = [];
    const truncated: boolean[] = [];
    for (const s of strings) {
      let bytes = utf8(s);
      let cut = false;
      // bcrypt never checks a NUL byte (its C string ends there): refused, so the dummy runs.
      if (bcrypt && bytes.includes(0)) continue;
      if (bcrypt && bytes.length > BCRYPT_MAX_BYTES) {
        if (!policy.legacyBcryptTruncate) continue; // refused, never truncated
        bytes = bytes.slice(0, BCRYPT_MAX_BYTES); // as the library that made the hash did
        cut = true;
      }
      const same = candidates.findIndex((o) => Buffer.compare(o, bytes) === 0);
      if (same >= 0) {
        truncated[same] = truncated[same]! && cut; // these bytes are also the whole of an input
        continue;
      }
      candidates.push(bytes);
      truncated.push(cut);
    }
    return { candidates, truncated };
  }

  /** What checking `stored` takes, or null when it cannot be checked (then the dummy runs). */
  function planFor(stored: string, password: string): Plan | null {
    if (stored.startsWith('$argon2')) {
      const info = argon2Parse(stored, ENGINE_LIMITS);
      if (info === null) return null;
      if (
        info.memoryKiB > policy.ceilings.maxMemoryKiB ||
        info.passes > ceilings.maxPasses ||
        info.parallelism > ceilings.maxParallelism ||
        info.memoryKiB * info.passes > policy.maxCost
      ) {
        unusable('ceilings');
        return null;
      }
      // The budget in force now (the default ceiling on m, and another hasher may have lowered
      // it since): a hash it cannot hold would be refused with a 503 on every try, where an
      // unknown account gets false.
      if (info.memoryKiB > hashPoolStats().memoryBudgetKiB) {
        unusable('memory');
        return null;
      }
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
      return { kind: 'argon2', stored, secret, ...distinct(strings, false) };
    }
    if (stored.startsWith('$2')) {
      const info = bcryptParse(stored);
      if (info === null || info.cost > policy.maxBcryptCost) return null;
      const tried = distinct([password, prepare(password, policy.form)], true);
      return tried.candidates.length === 0 ? null : { kind: 'bcrypt', stored, secret: null, ...tried };
    }
    return null;
  }

  async function run(plan: Plan): Promise<Checked> {
    const found: Checked = { valid: false, truncated: false };
    for (let i = 0; i < plan.candidates.length; i++) {
      const bytes = plan.candidates[i]!;
      if (found.valid) {
        bytes.fill(0);
        continue;
      }
      found.valid = await admitted(bytes, (b) =>
        plan.kind === 'argon2'
          ? argon2Verify(plan.stored, b, plan.secret, ceilings)
          : bcryptVerify(plan.stored, b, policy.maxBcryptCost),
      ).catch((err: unknown) => {
        for (const rest of plan.candidates.slice(i + 1)) rest.fill(0);
        throw err;
      });
      if (found.valid) found.truncated = plan.truncated[i]!;
    }
    return found;
  }

  async function check(stored: unknown, password: unknown): Promise<Checked> {
    checkType(password);
    if (stored !== null && stored !== undefined && typeof stored !== 'string') {
      throw new TypeError('The "stored" argument must be a string, null or undefined');
    }
    checkSize(password, policy.maxPasswordBytes);
    if (password.length === 0 && !policy.allowEmpty) return { valid: false, truncated: false }; // every account alike
    admission();
    checkSize(prepare(password, policy.form), policy.maxPasswordBytes);
    const plan =
      (typeof stored === 'string' ? planFor(stored, password) : null) ?? planFor(dummyHash(), password)!;
    const found = await run(plan);
    return { valid: found.valid && plan.stored !== dummy, truncated: found.truncated };
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

  async function verify(stored: string | null | undefined, password: string): Promise<boolean> {
    const started = performance.now();
    return (await floored(check(stored, password), started)).valid;
  }

  function needsRehash(stored: string | null | undefined): boolean {
    if (typeof stored !== 'string' || !stored.startsWith('$argon2')) return true;
    const info = argon2Parse(stored, ceilings);
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
    const started = performance.now();
    const { valid, truncated } = await floored(check(stored, password), started);
    if (!valid || !needsRehash(stored)) return { valid };
    // bcrypt checked only the first 72 bytes of what was typed: a new hash of the whole input
    // would let whoever knows those 72 bytes set the account's password (the owner's longer one
    // no longer verifying). The bcrypt hash stays, needsRehash stays true: such an account needs
    // a password reset (README, legacyBcryptTruncate).
    if (truncated) return { valid };
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
