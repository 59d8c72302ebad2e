// A user as the server keeps it, and what the browser may know of one.
export interface User {
  id: string;
  /** Stored normalized (trimmed, NFKC, lower-cased), unique. */
  email: string;
  name: string;
  passwordHash: string;
  roles: string[];
  /** Epoch seconds, or null until the address is verified. */
  emailVerifiedAt: number | null;
  createdAt: number;
}

/** getSession's toClient: the only fields of a user that reach the browser (never the hash). */
export function publicUser(user: User) {
  return {
    name: user.name,
    email: user.email,
    roles: user.roles,
    emailVerified: user.emailVerifiedAt !== null,
  };
}

export type PublicUser = ReturnType<typeof publicUser>;
