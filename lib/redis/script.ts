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
    const command = ['EVALSHA', this.sha, String(keys.length), ...keys, ...args];
    try {
      return await link.call(command, deadline);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      // EVAL runs the script and caches it: the next EVALSHA finds it.
      command[0] = 'EVAL';
      command[1] = this.source;
      return link.call(command, deadline);
    }
  }
}
