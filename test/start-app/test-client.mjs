// Used by the tests in test/start (not by the app): what a client of the app has at hand,
// resolved from the app's own node_modules — the packed start-guard, Start's seroval plugins.
import { fromCrossJSON, toJSONAsync } from 'seroval';
import { makeSerovalPlugin } from '@tanstack/router-core';
import { defaultSerovalDeserializerPlugins } from '@tanstack/router-core/ssr/client';
import * as core from 'start-guard';
import { startGuardSerializationAdapter } from 'start-guard/start';

export { core };

/** The request body (or GET payload) Start's client sends: seroval JSON of `{ data }`. */
export async function payload(data) {
  return JSON.stringify(await toJSONAsync({ data }));
}

/** Decodes a server-function response body as Start's client does, with the app's adapters. */
export function decode(text, { adapter = true } = {}) {
  const plugins = [
    ...(adapter ? [makeSerovalPlugin(startGuardSerializationAdapter)] : []),
    ...defaultSerovalDeserializerPlugins,
  ];
  return fromCrossJSON(JSON.parse(text), { plugins, refs: new Map() });
}

/** Session cookies as the app issues them (same secret), minted at any time. */
export function mintSession(secret, userId, { authTime, nowMs } = {}) {
  const sessions = core.createSessionManager({
    secrets: secret,
    revocation: core.createMemoryRevocationStore(),
    ...(nowMs === undefined ? {} : { nowMs: () => nowMs }),
  });
  const { setCookie, session } = sessions.create(
    userId,
    { theme: 'dark' },
    authTime === undefined ? {} : { authTime },
  );
  return { cookie: setCookie.split(';')[0], session };
}
