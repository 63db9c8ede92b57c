import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
// During `npm run dev` the socket and recordings come from a running `npm start`.
const backend = process.env.TRADELOOM_BACKEND ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  // The live worker is an ES module (`new Worker(url, { type: 'module' })`).
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
      '/recordings': backend,
    },
  },
});
