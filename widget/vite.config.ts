import { defineConfig, type Plugin } from 'vite';
import { transform } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Two size steps that minifiers do not take, to keep the bundle (Lit, @lit/task, English and
 * Hindi) within its 15 KB gzipped budget (scripts/check-widget-size.mjs):
 * - the indentation inside the widget's own `html` and `css` templates is collapsed (a newline
 *   and the spaces around it become one space; in CSS, none around punctuation). No template
 *   relies on a newline (no <pre>), so rendering is unchanged;
 * - the widget's private members (`_name`) are renamed to short names. Lit's own internals are
 *   spelled `_$…` and are left alone; no code reads a private member by a string.
 */
function shrink(): Plugin {
  return {
    name: 'offer-checkout:shrink',
    transform(code, id) {
      if (!id.startsWith(here('.')) || !id.endsWith('.ts')) return null;
      return { code: collapseTemplates(code), map: null };
    },
    async renderChunk(code) {
      const r = await transform(code, { minify: true, mangleProps: /^_[a-z]/, charset: 'utf8', format: 'esm', target: 'es2022' });
      return { code: r.code, map: null };
    },
  };
}

/**
 * Collapses whitespace in the literal parts of every template in `code` (nested ones included):
 * each run containing a newline becomes one space; in `css` templates, none around `{};,:`.
 * Expressions (`${…}`) are copied as they are, except for the templates inside them.
 */
export function collapseTemplates(code: string): string {
  let out = '';
  let i = 0;
  const template = (isCss: boolean): void => {
    // code[i] is the opening backtick
    out += '`';
    i++;
    let text = '';
    const flush = () => {
      let t = text.replace(/\s*\n\s*/g, ' ');
      if (isCss) t = t.replace(/\s*([{};,])\s*/g, '$1').replace(/:\s+/g, ':');
      out += t;
      text = '';
    };
    while (i < code.length) {
      const c = code[i]!;
      if (c === '\\') {
        text += c + code[i + 1];
        i += 2;
      } else if (c === '`') {
        flush();
        out += '`';
        i++;
        return;
      } else if (c === '$' && code[i + 1] === '{') {
        flush();
        out += '${';
        i += 2;
        expression();
      } else {
        text += c;
        i++;
      }
    }
  };
  const expression = (): void => {
    let depth = 0;
    while (i < code.length) {
      const c = code[i]!;
      if (c === '`') template(/css$/.test(out));
      else if (c === "'" || c === '"') {
        const end = code.indexOf(c, i + 1);
        out += code.slice(i, end + 1);
        i = end + 1;
      } else {
        if (c === '{') depth++;
        if (c === '}' && depth-- === 0) {
          out += '}';
          i++;
          return;
        }
        out += c;
        i++;
      }
    }
  };
  while (i < code.length) {
    const m = /\b(html|css)`/g;
    m.lastIndex = i;
    const hit = m.exec(code);
    if (!hit) {
      out += code.slice(i);
      break;
    }
    out += code.slice(i, hit.index + hit[1]!.length);
    i = hit.index + hit[1]!.length;
    template(hit[1] === 'css');
  }
  return out;
}

/**
 * Builds `<offer-checkout>` into one minified ES module, Lit bundled in:
 * public/widget/offer-checkout.js (served by the worker as a static asset).
 */
export default defineConfig({
  root: here('.'),
  publicDir: false,
  logLevel: 'warn',
  plugins: [shrink()],
  build: {
    outDir: here('../public/widget'),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    rolldownOptions: { output: { minify: true } },
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: here('./offer-checkout.ts'),
      formats: ['es'],
      fileName: () => 'offer-checkout.js',
    },
  },
});
