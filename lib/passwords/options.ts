// The password hasher's options, checked once at construction into a resolved policy: a wrong
// type is a TypeError, a number out of range a RangeError (both naming the option), an unknown
// option or a contradiction (a ceiling under the policy, a budget that cannot hold one hash)
// ERR_INVALID_OPTION, a pepper under 32 bytes ERR_SECRET_TOO_SHORT. Unknown options are refused
// rather than ignored: a misspelt `peppers` would otherwise hash without a pepper.
import { StartGuardError, invalidArg, outOfRangeArg } from '../errors';
import type { EventSink } from '../events';
import { checkWellFormedSecret } from '../secret-text';
import { MIN_MARKED_SALT, NORMALIZATION_FORMS, type NormalizationForm } from './salt';

/** Argon2id parameters for new hashes. `m` in KiB; the long names are accepted as aliases. */
export interface Argon2Options {
  /** Memory in KiB (default 19456, OWASP). Alias: `memoryKiB`, `memoryCost`. */
  m?: number;
  /** Passes (default 2). Alias: `passes`, `timeCost`. */
  t?: number;
  /** Lanes (default 1). Alias: `parallelism`. */
  p?: number;
  memoryKiB?: number;
  memoryCost?: number;
  passes?: number;
  timeCost?: number;
  parallelism?: number;
  /** Salt bytes, 16 to 64 (default 16). */
  saltLength?: number;
  /** Tag bytes, 16 to 128 (default 32). */
  tagLength?: number;
  /** Only 'argon2id' for new hashes (RFC 9106, OWASP); every variant verifies. */
  variant?: 'argon2id';
}

/**
 * Largest Argon2 parameters a stored string may ask for; over them it verifies as false (after
 * the dummy). Unset ones rise to the policy's own parameters; `m` is also capped by the memory
 * budget in force (a hash the budget cannot hold could never be checked).
 */
export interface Argon2Ceilings {
  /** KiB (default 65536, 64 MiB, or the memory budget when smaller). Alias: `memoryKiB`. */
  m?: number;
  /** Default 16. Alias: `passes`. */
  t?: number;
  /** Default 8. Alias: `parallelism`. */
  p?: number;
  /**
   * m × t in KiB·passes, what one verify costs (default 262144: 64 MiB × 4 passes, PHP's
   * default; about 7x the OWASP policy's 19456 × 2).
   */
  cost?: number;
  memoryKiB?: number;
  passes?: number;
  parallelism?: number;
}

export interface Pepper {
  /** Written as the PHC `keyid`: 1 to 64 characters of [A-Za-z0-9+/.-]. */
  id: string;
  /** 32 to 128 bytes (a string counts its UTF-8 bytes). */
  secret: string | Uint8Array;
}

export interface PasswordHasherOptions {
  argon2?: Argon2Options;
  /** Newest first: the first peppers new hashes; every one verifies the hashes that name it. */
  peppers?: readonly Pepper[];
  /** On hash only, in Unicode code points after normalization (default 8). */
  minPasswordLength?: number;
  /** UTF-8 bytes, before and after normalization (default 1024). */
  maxPasswordBytes?: number;
  /** Allow the empty password (default false). */
  allowEmpty?: boolean;
  /** How new hashes prepare the password (default 'NFKC'; false or 'none' for as typed). */
  normalize?: NormalizationForm | false;
  /** Pool threads this hasher asks for (the pool runs the most any hasher asked). */
  concurrency?: number;
  /** This hasher's calls that may wait for a pool thread; more are refused (ERR_HASH_OVERLOADED). */
  maxQueue?: number;
  /** Memory the process may give to hashing, in MiB (the smallest any hasher asked holds). */
  memoryBudgetMiB?: number;
  /** Stored bcrypt hashes above this cost verify as false (default 15). */
  maxBcryptCost?: number;
  /** Verify bcrypt hashes on the first 72 bytes, as the libraries that made them did. */
  legacyBcryptTruncate?: boolean;
  /** Every verify takes at least this long (milliseconds; default 0). */
  minVerifyMs?: number;
  /** Ceilings for stored Argon2 strings (default 256 MiB, 32 passes, 16 lanes). */
  argon2Ceilings?: Argon2Ceilings;
  onEvent?: EventSink;
}

export interface Policy {
  m: number;
  t: number;
  p: number;
  saltLength: number;
  tagLength: number;
  /** The pepper for new hashes, or null. */
  pepper: { id: string; secret: Uint8Array } | null;
  peppers: ReadonlyMap<string, Uint8Array>;
  minPasswordLength: number;
  maxPasswordBytes: number;
  allowEmpty: boolean;
  form: NormalizationForm;
  concurrency: number | undefined;
  maxQueue: number | undefined;
  memoryBudgetMiB: number | undefined;
  maxBcryptCost: number;
  legacyBcryptTruncate: boolean;
  minVerifyMs: number;
  ceilings: { maxMemoryKiB: number; maxPasses: number; maxParallelism: number };
  /** m × t ceiling for stored strings (KiB·passes). */
  maxCost: number;
  /** argon2Ceilings.m was given (then the budget in force must hold it, else it is refused). */
  explicitMaxMemory: boolean;
  onEvent: EventSink | undefined;
}

export const DEFAULTS = {
  m: 19456,
  t: 2,
  p: 1,
  saltLength: 16,
  tagLength: 32,
  minPasswordLength: 8,
  maxPasswordBytes: 1024,
  maxBcryptCost: 15,
  // A stored string at the ceilings costs what m × t says: at the old 256 MiB, 32 passes, one
  // verify held a pool thread 6.6 s. 64 MiB covers node-argon2's, RFC 9106's second choice and
  // PHP's defaults; the cost ceiling (PHP's 64 MiB × 4) keeps OWASP's m=7168,t=5 and Django's
  // 100 MiB × 2 (with a raised m) while refusing 64 MiB × 16.
  ceilings: { maxMemoryKiB: 65536, maxPasses: 16, maxParallelism: 8 },
  maxCost: 65536 * 4,
} as const;

const MAX_M_KIB = 0xffffffff;
const MAX_PASSWORD_BYTES = 1 << 20; // the binding's own cap
const MAX_LANES = 0xffffff;
const MAX_PEPPER_BYTES = 128; // the Argon2 engine's secret limit
const MAX_BUDGET_MIB = Math.floor(0xffffffff / 1024);
const KEYID = /^[A-Za-z0-9+/.-]{1,64}$/;

const OPTIONS = new Set([
  'argon2',
  'peppers',
  'minPasswordLength',
  'maxPasswordBytes',
  'allowEmpty',
  'normalize',
  'concurrency',
  'maxQueue',
  'memoryBudgetMiB',
  'maxBcryptCost',
  'legacyBcryptTruncate',
  'minVerifyMs',
  'argon2Ceilings',
  'onEvent',
]);

function refuseUnknown(name: string, value: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new StartGuardError('ERR_INVALID_OPTION', `${name} has no option "${key}"`);
  }
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') invalidArg(name, 'a number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    outOfRangeArg(name, `must be an integer from ${min} to ${max}; received ${value}`);
  }
  return value;
}

function optionalInteger(name: string, value: unknown, min: number, max: number): number | undefined {
  return value === undefined ? undefined : integer(name, value, 0, min, max);
}

function bool(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') invalidArg(name, 'a boolean', value);
  return value;
}

/** One parameter spelt any of its ways; two spellings at once are a contradiction. */
function aliased(
  name: string,
  o: Record<string, unknown>,
  keys: readonly string[],
  fallback: number,
  min: number,
  max: number,
): number {
  const given = keys.filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `${name}: ${given.join(' and ')} name the same parameter`,
    );
  }
  const key = given[0];
  return key === undefined ? fallback : integer(`${name}.${key}`, o[key], fallback, min, max);
}

const ARGON2_KEYS = new Set([
  'm',
  't',
  'p',
  'memoryKiB',
  'memoryCost',
  'passes',
  'timeCost',
  'parallelism',
  'saltLength',
  'tagLength',
  'variant',
]);
const CEILING_KEYS = new Set(['m', 't', 'p', 'cost', 'memoryKiB', 'passes', 'parallelism']);

function object(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalidArg(name, 'an object', value);
  return value as Record<string, unknown>;
}

function argon2Params(value: unknown): Pick<Policy, 'm' | 't' | 'p' | 'saltLength' | 'tagLength'> {
  const o = object('options.argon2', value);
  refuseUnknown('options.argon2', o, ARGON2_KEYS);
  if (o.variant !== undefined && o.variant !== 'argon2id') {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      "options.argon2.variant: new hashes are 'argon2id' (RFC 9106); every variant still verifies",
    );
  }
  const p = aliased('options.argon2', o, ['p', 'parallelism'], DEFAULTS.p, 1, MAX_LANES);
  return {
    m: aliased('options.argon2', o, ['m', 'memoryKiB', 'memoryCost'], DEFAULTS.m, 8 * p, MAX_M_KIB),
    t: aliased('options.argon2', o, ['t', 'passes', 'timeCost'], DEFAULTS.t, 1, 0xffffffff),
    p,
    saltLength: integer('options.argon2.saltLength', o.saltLength, DEFAULTS.saltLength, MIN_MARKED_SALT, 64),
    tagLength: integer('options.argon2.tagLength', o.tagLength, DEFAULTS.tagLength, 16, 128),
  };
}

function ceilings(
  value: unknown,
  policy: { m: number; t: number; p: number },
  budgetMiB: number | undefined,
): Pick<Policy, 'ceilings' | 'maxCost' | 'explicitMaxMemory'> {
  const o = object('options.argon2Ceilings', value);
  refuseUnknown('options.argon2Ceilings', o, CEILING_KEYS);
  const d = DEFAULTS.ceilings;
  const name = 'options.argon2Ceilings';
  // Unset ceilings rise to the policy, so the hasher's own hashes always verify.
  const c = {
    maxMemoryKiB: aliased(name, o, ['m', 'memoryKiB'], Math.max(d.maxMemoryKiB, policy.m), 8, MAX_M_KIB),
    maxPasses: aliased(name, o, ['t', 'passes'], Math.max(d.maxPasses, policy.t), 1, 0xffffffff),
    maxParallelism: aliased(
      name,
      o,
      ['p', 'parallelism'],
      Math.max(d.maxParallelism, policy.p),
      1,
      MAX_LANES,
    ),
  };
  const maxCost = integer(
    `${name}.cost`,
    o.cost,
    Math.max(DEFAULTS.maxCost, policy.m * policy.t),
    8,
    2 ** 53,
  );
  if (
    c.maxMemoryKiB < policy.m ||
    c.maxPasses < policy.t ||
    c.maxParallelism < policy.p ||
    maxCost < policy.m * policy.t
  ) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `${name} are below the hasher's own parameters (m=${policy.m}, t=${policy.t}, p=${policy.p}): its hashes would never verify`,
    );
  }
  const explicitMaxMemory = o.m !== undefined || o.memoryKiB !== undefined;
  if (explicitMaxMemory && budgetMiB !== undefined && c.maxMemoryKiB > budgetMiB * 1024) {
    // A stored hash the budget cannot hold would be refused (503) on every verify: never checked.
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `${name}.m (${c.maxMemoryKiB} KiB) is over options.memoryBudgetMiB (${budgetMiB}): such hashes could never be checked`,
    );
  }
  return { ceilings: c, maxCost, explicitMaxMemory };
}

function secretBytes(name: string, secret: unknown): Uint8Array {
  let bytes: Uint8Array;
  if (typeof secret === 'string') {
    checkWellFormedSecret(name, secret);
    bytes = new TextEncoder().encode(secret);
  } else if (secret instanceof Uint8Array)
    bytes = new Uint8Array(secret); // our own copy
  else invalidArg(name, 'a string or a Uint8Array', secret);
  if (bytes.length < 32) {
    throw new StartGuardError('ERR_SECRET_TOO_SHORT', `${name} must be at least 32 bytes`);
  }
  if (bytes.length > MAX_PEPPER_BYTES) {
    // Refused, never truncated.
    throw new StartGuardError('ERR_INVALID_OPTION', `${name} must be at most ${MAX_PEPPER_BYTES} bytes`);
  }
  return bytes;
}

function peppers(value: unknown): Pick<Policy, 'pepper' | 'peppers'> {
  if (value === undefined) return { pepper: null, peppers: new Map() };
  if (!Array.isArray(value)) invalidArg('options.peppers', 'an array of { id, secret }', value);
  const map = new Map<string, Uint8Array>();
  value.forEach((entry: unknown, i) => {
    const name = `options.peppers[${i}]`;
    if (typeof entry !== 'object' || entry === null) invalidArg(name, 'an object { id, secret }', entry);
    const { id, secret } = entry as Record<string, unknown>;
    refuseUnknown(name, entry, new Set(['id', 'secret']));
    if (typeof id !== 'string' || !KEYID.test(id)) {
      invalidArg(`${name}.id`, 'a string of 1 to 64 characters of [A-Za-z0-9+/.-] (the PHC keyid)', id);
    }
    if (map.has(id))
      throw new StartGuardError('ERR_INVALID_OPTION', `options.peppers: the id "${id}" appears twice`);
    map.set(id, secretBytes(`${name}.secret`, secret));
  });
  const first = value[0] as Pepper | undefined;
  return { pepper: first === undefined ? null : { id: first.id, secret: map.get(first.id)! }, peppers: map };
}

function form(value: unknown): NormalizationForm {
  if (value === undefined) return 'NFKC';
  if (value === false) return 'none';
  if (typeof value !== 'string' || !NORMALIZATION_FORMS.includes(value as NormalizationForm)) {
    invalidArg('options.normalize', "'NFKC', 'NFC', 'NFKD', 'NFD', 'none' or false", value);
  }
  return value as NormalizationForm;
}

export function resolvePolicy(options: PasswordHasherOptions | undefined): Policy {
  const o = object('options', options);
  refuseUnknown('options', o, OPTIONS);
  const params = argon2Params(o.argon2);
  const maxPasswordBytes = integer(
    'options.maxPasswordBytes',
    o.maxPasswordBytes,
    DEFAULTS.maxPasswordBytes,
    1,
    MAX_PASSWORD_BYTES,
  );
  const minPasswordLength = integer(
    'options.minPasswordLength',
    o.minPasswordLength,
    DEFAULTS.minPasswordLength,
    0,
    maxPasswordBytes,
  );
  const memoryBudgetMiB = optionalInteger('options.memoryBudgetMiB', o.memoryBudgetMiB, 1, MAX_BUDGET_MIB);
  if (memoryBudgetMiB !== undefined && memoryBudgetMiB * 1024 < params.m) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `options.memoryBudgetMiB (${memoryBudgetMiB}) cannot hold one hash of m=${params.m} KiB`,
    );
  }
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function')
    invalidArg('options.onEvent', 'a function', o.onEvent);
  const minVerifyMs = o.minVerifyMs ?? 0;
  if (typeof minVerifyMs !== 'number') invalidArg('options.minVerifyMs', 'a number', minVerifyMs);
  if (!(minVerifyMs >= 0 && minVerifyMs <= 60_000)) {
    outOfRangeArg('options.minVerifyMs', `must be from 0 to 60000 milliseconds; received ${minVerifyMs}`);
  }
  return {
    ...params,
    ...peppers(o.peppers),
    minPasswordLength,
    maxPasswordBytes,
    allowEmpty: bool('options.allowEmpty', o.allowEmpty),
    form: form(o.normalize),
    concurrency: optionalInteger('options.concurrency', o.concurrency, 1, 256),
    maxQueue: optionalInteger('options.maxQueue', o.maxQueue, 0, 1 << 20),
    memoryBudgetMiB,
    maxBcryptCost: integer('options.maxBcryptCost', o.maxBcryptCost, DEFAULTS.maxBcryptCost, 4, 31),
    legacyBcryptTruncate: bool('options.legacyBcryptTruncate', o.legacyBcryptTruncate),
    minVerifyMs,
    ...ceilings(o.argon2Ceilings, params, memoryBudgetMiB),
    onEvent: o.onEvent as EventSink | undefined,
  };
}
