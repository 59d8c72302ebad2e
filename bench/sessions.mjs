// Reading a session from a request's Cookie header: start-guard's sessions.read (cookie parse,
// unseal, both timeouts, revocation lookup in the in-memory store) against iron-session 8's
// getIronSession over the same header (cookie parse, Fe26.2 unseal, ttl). Alternating rounds.
import { getIronSession, sealData } from 'iron-session';
import { createMemoryRevocationStore, createSessionManager, randomBytes } from 'start-guard';
import { alternate, printTable } from './lib/measure.mjs';

const rounds = Number(process.env.ROUNDS ?? 7);
const data = { name: 'Ada Lovelace', roles: ['admin', 'editor'] };

const sessions = createSessionManager({
  secrets: randomBytes(32),
  revocation: createMemoryRevocationStore(),
});
const { setCookie } = sessions.create('user_0193d2a4', data);
const sgHeader = `theme=dark; ${setCookie.split(';')[0]}`;

const password = Buffer.from(randomBytes(32)).toString('hex');
const ironOpts = { password, cookieName: 'app_session', ttl: 1800 };
const ironValue = await sealData({ userId: 'user_0193d2a4', ...data }, { password, ttl: 1800 });
const ironHeader = `theme=dark; app_session=${ironValue}`;
// iron-session reads cookies through a store with get/set (its App Router form).
const ironStore = (header) => ({
  get: (name) => {
    const m = header.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
    return m ? { name, value: m[1] } : undefined;
  },
  set: () => {},
});

if ((await sessions.read(sgHeader))?.session.userId !== 'user_0193d2a4') throw new Error('start-guard read');
if ((await getIronSession(ironStore(ironHeader), ironOpts)).userId !== 'user_0193d2a4')
  throw new Error('iron read');
console.log(
  `cookie sizes: start-guard ${setCookie.split(';')[0].length}, iron-session ${ironValue.length + 12} bytes`,
);

const results = await alternate(
  [
    { name: 'start-guard sessions.read', fn: () => sessions.read(sgHeader), n: 20000 },
    {
      name: 'iron-session getIronSession',
      fn: () => getIronSession(ironStore(ironHeader), ironOpts),
      n: 600,
    },
  ],
  rounds,
);
printTable('session read from a Cookie header', results, 'start-guard sessions.read');

const create = await alternate(
  [
    { name: 'start-guard sessions.create', fn: () => sessions.create('user_0193d2a4', data), n: 20000 },
    {
      name: 'iron-session sealData',
      fn: () => sealData({ userId: 'user_0193d2a4', ...data }, { password, ttl: 1800 }),
      n: 600,
    },
  ],
  rounds,
);
printTable('issue a session cookie', create, 'start-guard sessions.create');
