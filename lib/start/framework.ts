// The one place that imports TanStack Start's client-safe entry. start-guard does not declare
// Start as a peer dependency (Start's Vite plugin would then bundle start-guard into the server
// build, and a bundled loader cannot load the .node binary), so the version is checked at run
// time instead: see version.ts.
export { createMiddleware } from '@tanstack/react-start';
