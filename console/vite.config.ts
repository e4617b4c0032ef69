import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Builds the publisher console (a Lit single-page app) into public/console/: index.html and
 * one hashed, minified ES module under assets/. The worker serves it as static assets at
 * /console/; it calls /console/v1/session and /admin/v1 on the same origin.
 * Nothing here is shared with the widget's bundle (widget/vite.config.ts).
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('../public/console'),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
    rolldownOptions: { input: here('./index.html') },
  },
});
