// Default Vite settings on purpose: no ssr.external, no optimizeDeps entries. start-guard must
// work in a Start app as it comes.
import { tanstackStart } from '@tanstack/react-start/plugin/vite';
import viteReact from '@vitejs/plugin-react';
import { recordServerFnIds } from 'start-guard/testing';
import { defineConfig } from 'vite';

export default defineConfig({
  // recordServerFnIds() keeps Start's ids and writes down each one's file and name for the audit.
  plugins: [tanstackStart({ serverFns: { generateFunctionId: recordServerFnIds() } }), viteReact()],
});
