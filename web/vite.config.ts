import { defineConfig } from 'vite';

/** The dashboard: Preact through Vite's own JSX transform (no Babel), built into web/dist. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  // `npx vite web`: the dashboard with hot reload, the API from `npm start` on :3000.
  server: {
    proxy: Object.fromEntries(
      ['/whatsapp', '/auth', '/admin', '/api', '/docs', '/openapi.json', '/metrics', '/health', '/ready'].map((p) => [p, 'http://127.0.0.1:3000']),
    ),
  },
});
