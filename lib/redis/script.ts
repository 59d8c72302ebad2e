// A Lua script run by its SHA1 (EVALSHA: the body crosses the network once per server), loaded
// again with EVAL when the server answers NOSCRIPT (after a restart, a failover, SCRIPT FLUSH):
// RedisLink.evalsha does both within one deadline.
import { createHash } from 'node:crypto';
import type { RedisLink, ScriptSource } from './client';

export class RedisScript implements ScriptSource {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script on `keys` (one, for Redis Cluster) and `args`, within the link's timeout. */
  run(link: RedisLink, keys: ReadonlyArray<string>, args: ReadonlyArray<string>): Promise<unknown> {
    return link.evalsha(this, ['EVALSHA', this.sha, String(keys.length), ...keys, ...args]);
  }
}
