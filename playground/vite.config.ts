import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The kernel is consumed as TypeScript source through the workspace package;
// its relative imports end in .js and Vite resolves them to the .ts files.
export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1000 },
  logLevel: process.env.VITEST ? 'silent' : 'info',
});
