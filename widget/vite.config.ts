import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Builds `<offer-checkout>` into one minified ES module, Lit bundled in:
 * public/widget/offer-checkout.js (served by the worker as a static asset).
 */
export default defineConfig({
  root: here('.'),
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('../public/widget'),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    // Lib mode keeps whitespace in ES output by default; minify fully (Lit keeps no pure-annotation needs here).
    rolldownOptions: { output: { minify: true } },
    lib: {
      entry: here('./offer-checkout.ts'),
      formats: ['es'],
      fileName: () => 'offer-checkout.js',
    },
  },
});
