// Default Vite settings on purpose: no ssr.external, no optimizeDeps entries. start-guard must
// work in a Start app as it comes.
import { tanstackStart } from '@tanstack/react-start/plugin/vite';
import viteReact from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [tanstackStart(), viteReact()],
});
