// passwordSignIn: the whole of a password sign-in, in the order that keeps it from telling an
// attacker anything (OWASP Authentication Cheat Sheet; ASVS 6.3.8): the limits first, on the
// identifier as typed; then the lookup; then one password verification whether or not the account
// exists (the hasher's dummy hash for unknown accounts, so both cost one hash); then the same
// refusal, message, status and headers for an unknown account and a wrong password. A successful
// sign-in gives the limits back, upgrades an outdated hash, and issues a fresh session.
import {
  StartGuardError,
  hashPassword,
  isStartGuardError,
  needsRehash,
  normalizeIdentifier,
  verifyPassword,
} from 'start-guard';
import type { LoginClient, Session } from 'start-guard';
import { clientOf } from './client.js';
import { type AuthCore, emitEvent } from './core.js';
import { refuse, refuseLimited, requestOf, requireCsrfSeen, server, storeError } from './respond.js';
import { flow, issueSession } from './session-flows.js';
import { internalsOf } from './session-internals.js';

/** What passwordSignIn needs of a password hasher (createPasswordHasher() has it). */
export interface PasswordVerifier {
  /** Verifies; with no stored hash (unknown account) it runs a dummy verification and is false. */
  verify(stored: string | null | undefined, password: string): Promise<boolean>;
  needsRehash(stored: string): boolean;
  hash(password: string): Promise<string>;
}

// The default hasher's functions (made on first use by the core).
const DEFAULT_HASHER: PasswordVerifier = { verify: verifyPassword, needsRehash, hash: hashPassword };

/** What passwordSignIn needs of the limits (loginLimits() has it). */
export interface SignInLimits {
  check(
    identifier: unknown,
    client: LoginClient,
    options?: { knownDevice?: boolean },
  ): Promise<{ allowed: boolean; retryAfterMs: number; succeeded(): Promise<void> }>;
}

export interface PasswordAccount {
  id: string;
  /** The stored hash; null or undefined for an account without a password (it never matches). */
  passwordHash: string | null | undefined;
}

export interface PasswordSignInOptions<TAccount extends PasswordAccount, TData> {
  /** What the user typed as their account name (normalized before the lookup and the limits). */
  identifier: unknown;
  password: unknown;
  /** The account for a normalized identifier (trimmed, NFKC, e-mail addresses lower-cased). */
  findUser(identifier: string): TAccount | null | undefined | Promise<TAccount | null | undefined>;
  /** Stores an upgraded hash (after a sign-in with an outdated one: bcrypt, older parameters). */
  saveHash(user: TAccount, passwordHash: string): void | Promise<void>;
  /** The new session's data, or a function of the account that returns it. */
  sessionData?: TData | ((user: TAccount) => TData | Promise<TData>);
  /** Default: the default hasher (hashPassword's policy). Pass yours when you configured one. */
  hasher?: PasswordVerifier;
  /** Per account and per client: loginLimits(). */
  limits: SignInLimits;
  /** "Remember me": a cookie that survives a browser restart. */
  persistent?: boolean;
}

export interface PasswordSignInResult<TAccount extends PasswordAccount> {
  /** The account, without its passwordHash (so it cannot be returned to the browser by mistake). */
  user: Omit<TAccount, 'passwordHash'>;
  session: Session<unknown>;
}

// A policy refusal of the typed password (too long, empty) says nothing about the account: it is
// a failed attempt like any other, answered the same way.
const POLICY_CODES = new Set(['ERR_PASSWORD_TOO_LONG', 'ERR_PASSWORD_TOO_SHORT', 'ERR_PASSWORD_EMPTY']);

let warnedRehash = false;

export async function passwordSignInFlow<TAccount extends PasswordAccount, TData>(
  core: AuthCore,
  options: PasswordSignInOptions<TAccount, TData>,
): Promise<PasswordSignInResult<TAccount>> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('The "options" argument must be an object');
  const { identifier, password, findUser, saveHash, limits, sessionData, persistent } = options;
  const hasher = options.hasher ?? DEFAULT_HASHER;
  if (typeof findUser !== 'function') throw new TypeError('The "findUser" option must be a function');
  if (typeof saveHash !== 'function') throw new TypeError('The "saveHash" option must be a function');
  if (
    typeof hasher !== 'object' ||
    hasher === null ||
    typeof hasher.verify !== 'function' ||
    typeof hasher.needsRehash !== 'function' ||
    typeof hasher.hash !== 'function'
  ) {
    throw new TypeError('The "hasher" option must be a password hasher (createPasswordHasher())');
  }
  if (typeof limits !== 'object' || limits === null || typeof limits.check !== 'function') {
    throw new TypeError('The "limits" option must be sign-in limits (loginLimits())');
  }
  if (persistent !== undefined && typeof persistent !== 'boolean') {
    throw new TypeError('The "persistent" option must be a boolean');
  }

  const request = await requestOf();
  const state = await requireCsrfSeen(request);
  const client = await clientOf(core, request, state);
  const ip = client.ip === null ? {} : { ip: client.ip };
  const internals = internalsOf(core.sessions);
  const normalized = normalizeIdentifier(identifier);
  // A browser that signed in to this identifier before (its device cookie) is not held by the
  // client's own bucket, which anyone behind the same address could have emptied.
  const knownDevice =
    normalized !== null && internals.device !== undefined
      ? internals.device.known(request.headers.get('cookie'), normalized)
      : false;

  let attempt;
  try {
    attempt = await limits.check(identifier, client, knownDevice ? { knownDevice } : undefined);
  } catch (cause) {
    return refuse(undefined, request, storeError(cause));
  }
  if (!attempt.allowed) {
    emitEvent(core, { type: 'login.failure', at: Date.now(), reason: 'rate_limited', ...ip });
    return refuseLimited(request, attempt.retryAfterMs, 'too many sign-in attempts');
  }

  // The session counts as created when the credential was read, not when it is issued one hash
  // later: a password reset that raises the user's watermark in between (after this read saw the
  // old hash) then revokes it, so a sign-in with the old password cannot outlive the reset.
  const credentialReadAtMs = internals.nowMs();
  const account = normalized === null ? null : ((await findUser(normalized)) ?? null);
  let valid = false;
  if (typeof password === 'string') {
    try {
      valid = await hasher.verify(account?.passwordHash ?? null, password);
    } catch (error) {
      if (!isStartGuardError(error) || !POLICY_CODES.has(error.code)) {
        if (isStartGuardError(error) && error.status !== undefined) return refuse(undefined, request, error);
        throw error;
      }
    }
  }
  if (!valid || account === null) {
    emitEvent(core, {
      type: 'login.failure',
      at: Date.now(),
      reason: 'invalid_credentials',
      ...(account === null ? {} : { userId: account.id }),
      ...ip,
    });
    return refuse(
      undefined,
      request,
      new StartGuardError('ERR_INVALID_CREDENTIALS', 'the identifier or the password is wrong'),
    );
  }

  await attempt.succeeded();
  const stored = account.passwordHash as string;
  if (hasher.needsRehash(stored)) {
    // The password is at hand only now: upgrade the hash (bcrypt, older parameters). A failure
    // here must not fail the sign-in; the next one tries again.
    try {
      await saveHash(account, await hasher.hash(password as string));
    } catch {
      if (!warnedRehash) {
        warnedRehash = true;
        process.emitWarning(
          'start-guard: passwordSignIn could not upgrade an outdated password hash (saveHash or hash failed); it will try again at the next sign-in',
          {
            code: 'START_GUARD_REHASH_FAILED',
          },
        );
      }
    }
  }
  const data =
    typeof sessionData === 'function' ? await (sessionData as (u: TAccount) => TData)(account) : sessionData;
  const session = await flow(request, () =>
    issueSession(
      core,
      request,
      state,
      account.id,
      data,
      persistent === undefined ? {} : { persistent },
      credentialReadAtMs,
    ),
  );
  // Set (or renewed: 180 days from now) once the session is: this browser has signed in here.
  if (internals.device !== undefined) {
    (await server()).appendResponseHeader('set-cookie', internals.device.setCookie(normalized as string));
  }
  const { passwordHash: _hash, ...user } = account;
  return { user, session };
}
