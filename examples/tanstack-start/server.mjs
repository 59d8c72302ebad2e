// Serves the production build (dist/): srvx's serve() with the static files of dist/client, as
// `srvx serve --prod` does, but with an access log of our own. srvx's CLI always installs its
// logger, which prints each request's URL with its query: opening a reset or sign-up link would
// write the live token to the log. This one prints the method, the path and the status, never the
// query. Usage: node server.mjs (PORT, default 3000; HOST, default localhost; ACCESS_LOG=0: none).
import { fileURLToPath } from 'node:url';
import { serve } from 'srvx';
import { staticMiddleware } from 'srvx/static';

// The data folder's files (users, tokens, mails, the secret) are for this user only.
process.umask(0o077);
process.env.NODE_ENV ??= 'production';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const entry = await import('./dist/server/server.js');
const fetchHandler = entry.default?.fetch ?? entry.fetch;
if (typeof fetchHandler !== 'function') throw new Error('dist/server/server.js has no fetch handler');

/** One line per request on stdout: no query string, no headers, no body. */
const accessLog = async (request, next) => {
  const started = performance.now();
  const response = await next();
  const { pathname } = new URL(request.url);
  const ms = (performance.now() - started).toFixed(1);
  process.stdout.write(
    `${new Date().toISOString()} ${request.method} ${pathname} ${response.status} ${ms}ms\n`,
  );
  return response;
};

const server = serve({
  fetch: fetchHandler,
  port: Number(process.env.PORT ?? 3000),
  hostname: process.env.HOST ?? 'localhost',
  gracefulShutdown: true,
  silent: true,
  error: (error) => {
    console.error(error);
    return new Response('Internal Server Error', { status: 500 });
  },
  middleware: [
    ...(process.env.ACCESS_LOG === '0' ? [] : [accessLog]),
    staticMiddleware({ dir: here('./dist/client') }),
  ],
});
await server.ready();
// The first request loads the app's server code: its settings, the mailer check, and (with
// EXAMPLE_DEMO=1) the demo accounts. If that fails, the server stops rather than serve errors.
const home = await fetch(server.url).catch((error) => ({ ok: false, status: String(error) }));
if (!home.ok) {
  process.stderr.write(`example: the app did not start (GET / answered ${home.status}); see above\n`);
  await server.close(true);
  process.exit(1);
}
process.stderr.write(`example: listening on ${server.url}\n`);
