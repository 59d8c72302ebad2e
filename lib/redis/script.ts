// A Lua script run by its SHA1 (EVALSHA: the body crosses the network once per server), loaded
// again with EVAL when the server answers NOSCRIPT (after a restart, a failover, SCRIPT FLUSH).
import { createHash } from 'node:crypto';
import type { RedisLink } from './client';

export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script on `keys` (one, for Redis Cluster) and `args`, within the link's timeout. */
  async run(link: RedisLink, keys: ReadonlyArray<string>, args: ReadonlyArray<string>): Promise<unknown> {
    // One deadline for both tries: a NOSCRIPT retry never doubles the wait.
    const deadline = Date.now() + link.timeoutMs;
    const n = String(keys.length);
    try {
      const [reply] = await link.send([['EVALSHA', this.sha, n, ...keys, ...args]], deadline);
      return reply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      // EVAL runs the script and caches it: the next EVALSHA finds it.
      const [reply] = await link.send([['EVAL', this.source, n, ...keys, ...args]], deadline);
      return reply;
    }
  }
}
