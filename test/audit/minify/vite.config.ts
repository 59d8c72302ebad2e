// The test app's config with its server bundle minified, a common production setting: the
// manifest's ids lose their quotes where they are identifiers, and its strings become templates.
import { tanstackStart } from '@tanstack/react-start/plugin/vite';
import viteReact from '@vitejs/plugin-react';
import { recordServerFnIds } from 'start-guard/testing';
import { defineConfig } from 'vite';

export default defineConfig({
  build: { minify: true },
  plugins: [tanstackStart({ serverFns: { generateFunctionId: recordServerFnIds() } }), viteReact()],
});
