// The server side of the file store. The browser build swaps this module for native.browser.ts
// (scripts/build-ts.mjs swaps every `./native` import, as for lib/native.ts), so the store's
// implementation and Node's built-ins never reach a client bundle.
export { openFileStore } from './file-store';

/** False in the browser build. */
export const onServer = true;
