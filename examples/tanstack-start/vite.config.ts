// Default Vite settings: start-guard needs no ssr.external or optimizeDeps entry. The one option
// records which file and export each server-function id is, for `npx start-guard audit`.
import { tanstackStart } from '@tanstack/react-start/plugin/vite';
import viteReact from '@vitejs/plugin-react';
import { recordServerFnIds } from 'start-guard/testing';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [tanstackStart({ serverFns: { generateFunctionId: recordServerFnIds() } }), viteReact()],
});
