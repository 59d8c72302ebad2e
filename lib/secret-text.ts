// String secrets are used as their UTF-8 bytes, and UTF-8 encoding turns every lone surrogate
// into U+FFFD: "\uD800" x 11 and "\uFFFD" x 11 would be one key (a public one). An ill-formed
// string secret is refused, never encoded.
import { StartGuardError } from './errors';

// String.prototype.isWellFormed: Node >= 20, not in the ES2022 lib the build targets.
type WellFormed = string & { isWellFormed(): boolean };

/** Throws ERR_INVALID_OPTION naming the option when `secret` holds a lone surrogate. */
export function checkWellFormedSecret(name: string, secret: string): void {
  if (!(secret as WellFormed).isWellFormed()) {
    throw new StartGuardError(
      'ERR_INVALID_OPTION',
      `${name} must be a well-formed string (it holds a lone surrogate, which UTF-8 cannot encode)`,
    );
  }
}
