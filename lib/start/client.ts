// Who is asking: the client's address for rate limits and events, from the connection's peer
// address and, behind the proxies listed in createAuth({ trustProxy }), X-Forwarded-For (the
// rightmost hop that is not one of them: start-guard's clientAddress). Start's own
// getRequestIP({ xForwardedFor: true }) takes the leftmost hop, which the client writes itself.
import { type ClientAddress, clientAddress } from 'start-guard';
import type { AuthCore } from './core.js';
import type { RequestState } from './request-state.js';
import { server } from './respond.js';

const NO_PROXY = Symbol('no trustProxy');

/** The connection's peer address, as Start's adapters record it on the request. */
async function peerAddress(request: Request): Promise<string | null> {
  try {
    const s = await server();
    if (s.getRequest() === request) return s.getRequestIP() ?? null;
  } catch {
    // Outside a Start request (a test calling the middleware directly): read the request.
  }
  const r = request as Request & { ip?: unknown; context?: { clientAddress?: unknown } };
  const ip = r.context?.clientAddress ?? r.ip;
  return typeof ip === 'string' ? ip : null;
}

/** The client of this request, computed once per trustProxy list. */
export async function clientOf(
  core: AuthCore,
  request: Request,
  state?: RequestState,
): Promise<ClientAddress> {
  const key = core.trustProxy ?? NO_PROXY;
  let client = state?.clients.get(key);
  if (client === undefined) {
    const input = { remoteAddress: await peerAddress(request), headers: request.headers };
    client = clientAddress(input, core.trustProxy === undefined ? {} : { trustProxy: core.trustProxy });
    state?.clients.set(key, client);
  }
  return client;
}
