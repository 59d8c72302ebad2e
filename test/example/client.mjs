// Copied into the built app's folder by scripts/example-e2e.sh (as e2e-client.mjs), so that what a
// client of the app has at hand resolves from the app's own node_modules, as ES modules: seroval,
// Start's seroval plugins, and start-guard as installed from the tarball.
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

/** Decodes a server-function response as Start's client does, with start-guard's adapter. */
export function decode(text) {
  const plugins = [makeSerovalPlugin(startGuardSerializationAdapter), ...defaultSerovalDeserializerPlugins];
  return fromCrossJSON(JSON.parse(text), { plugins, refs: new Map() });
}
