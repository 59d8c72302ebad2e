// The wire format of server-function calls: seroval JSON both ways. Bodies are decoded with the
// seroval package but without the app's plugins (the audit runs outside the app): each plugin
// node (Start's error and redirect types, an app's serialization adapters) becomes a plain
// object tagged with its plugin name, so an error's message is readable whatever carried it.
import { type Plugin, type SerovalNode, createPlugin, fromCrossJSON, toJSONAsync } from 'seroval';

/** The tag of a decoded plugin node: `{ [PLUGIN_TAG]: '$TSR/Error', message: '…' }`. */
export const PLUGIN_TAG = Symbol('start-guard.audit.plugin');

// SerovalNodeType.Plugin in seroval 1.x (the `t` of a plugin node, whose `c` is the tag).
const PLUGIN_NODE = 25;

/** What Start's client sends for a call without data: `{ data: undefined }` in seroval JSON. */
export async function emptyPayload(): Promise<string> {
  return JSON.stringify(await toJSONAsync({ data: undefined }));
}

export type Decoded =
  | { kind: 'result'; value: unknown }
  | { kind: 'error'; value: unknown; message: string | undefined }
  | { kind: 'undecodable'; reason: string };

/** Decodes a server function's JSON answer (`{ result }` or `{ error }`). */
export function decodeAnswer(text: string): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'undecodable', reason: 'not JSON' };
  }
  let value: unknown;
  try {
    value = fromCrossJSON(json as SerovalNode, {
      refs: new Map(),
      plugins: stubPlugins(json),
      depthLimit: 200,
    });
  } catch (error) {
    return { kind: 'undecodable', reason: `not seroval (${(error as Error).message})` };
  }
  if (typeof value === 'object' && value !== null) {
    // A result first: an envelope that carries one means the function answered.
    if ('result' in value) return { kind: 'result', value: (value as { result: unknown }).result };
    if ('error' in value) {
      const error = (value as { error: unknown }).error;
      return { kind: 'error', value: error, message: messageOf(error, 3) };
    }
  }
  return { kind: 'undecodable', reason: 'neither { result } nor { error }' };
}

/** A plugin's tag, when `value` is a decoded plugin node. */
export function pluginTag(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null
    ? ((value as Record<symbol, unknown>)[PLUGIN_TAG] as string | undefined)
    : undefined;
}

/** The message of an Error, of Start's `$TSR/Error`, or of an adapter's `{ v: { message } }`. */
function messageOf(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || depth === 0) return undefined;
  const message = (value as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  for (const inner of Object.values(value)) {
    const found = messageOf(inner, depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function stubPlugins(json: unknown): Plugin<unknown, Record<string, SerovalNode>>[] {
  const tags = new Set<string>();
  collectTags(json, tags, 0);
  return [...tags].map((tag) =>
    createPlugin<unknown, Record<string, SerovalNode>>({
      tag,
      test: () => false,
      parse: {},
      serialize: () => {
        throw new Error('start-guard audit: decoding only');
      },
      deserialize(node, ctx) {
        const out: Record<string | symbol, unknown> = { [PLUGIN_TAG]: tag };
        for (const [key, inner] of Object.entries(node ?? {})) {
          out[key] = isNode(inner) ? ctx.deserialize(inner) : inner;
        }
        return out;
      },
    }),
  );
}

function collectTags(value: unknown, tags: Set<string>, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > 200) return;
  const node = value as { t?: unknown; c?: unknown };
  if (node.t === PLUGIN_NODE && typeof node.c === 'string') tags.add(node.c);
  for (const inner of Object.values(value)) collectTags(inner, tags, depth + 1);
}

function isNode(value: unknown): value is SerovalNode {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'number';
}
