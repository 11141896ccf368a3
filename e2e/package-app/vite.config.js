import { defineConfig } from 'vite';

export default defineConfig({
  // JSX without a framework plugin: esbuild's automatic runtime.
  esbuild: { jsx: 'automatic' },
  // The dev server pre-bundles dependencies, which loses the wasm's `new URL(...)`; a
  // production build (this test) does not need it, a host's dev server does.
  optimizeDeps: { exclude: ['screening-widget'] },
  // Built into target/ (git-ignored); `run` serves it from the companion server.
  build: { outDir: '../../target/package-app/dist', emptyOutDir: true },
  logLevel: 'warn',
});
