import { defaultClientConditions, defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The kernel is consumed as TypeScript source through the workspace package (its
// "allot-source" export condition, so no kernel build is needed and edits reload);
// its relative imports end in .js and Vite resolves them to the .ts files.
export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ['allot-source', ...defaultClientConditions] },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1000 },
  logLevel: process.env.VITEST ? 'silent' : 'info',
});
