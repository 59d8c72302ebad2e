// The token store contract shared by the memory and file stores, and by any store an application
// writes over its own database (an SQL table with these columns, or Redis keys with a TTL).

/** What a store keeps of a single-use token: never the token or its secret. */
export interface TokenRecord {
  /** The token's public half: 128 random bits, base64url (22 characters). The store's key. */
  id: string;
  userId: string;
  /** What the token is for: 'reset', 'verify', or an application's own purpose. */
  purpose: string;
  /** The verifier of the token's secret: BLAKE2b-256, base64url (43 characters). */
  verifier: string;
  /** Epoch seconds; the token is refused from this second on. */
  expiresAt: number;
  /** Application data bound to the token (e-mail verification: the address being verified). */
  data?: string;
}

export interface TokenStore {
  /** Saves a new record; durable before it resolves (a link must not outlive its record). */
  insert(record: TokenRecord): Promise<void>;
  /** The record with this id, or null. May return an expired record: the caller checks. */
  find(id: string): Promise<TokenRecord | null>;
  /**
   * Removes the record: true for exactly one caller however many race for it (the one that
   * removed it), false when it was already gone. This is what makes a token single-use: in SQL,
   * `DELETE … WHERE id = ?` and its row count; in Redis, `DEL` and its reply.
   */
  delete(id: string): Promise<boolean>;
  /** Removes every record of the user (of one purpose, when given). */
  deleteForUser(userId: string, purpose?: string): Promise<void>;
  /** Releases files and locks (optional). */
  close?(): Promise<void>;
}
