import { defineConfig } from 'vite';

/** The dashboard: Preact through Vite's own JSX transform (no Babel), built into web/dist. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
});
