// The server side of the file token store. The browser build swaps this module for
// native.browser.ts (scripts/build-ts.mjs swaps every `./native` import), so the store's
// implementation and Node's built-ins never reach a client bundle.
export { openFileTokenStore } from './file-store';
