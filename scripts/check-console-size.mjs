// Fails the build when the publisher console's JavaScript (every .js under public/console/,
// Lit included) is over budget gzipped. Run by `npm run build:console` after `vite build`.
// It also checks that the console shares no file with the widget's bundle (public/widget/).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'public', 'console');
export const BUDGET = 80_000; // bytes, gzipped (80 KB)

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The console's JS files and their sizes (minified and gzipped), or throws. */
export function measureConsole() {
  if (!existsSync(join(DIR, 'index.html'))) throw new Error(`${DIR}/index.html does not exist; run vite build first.`);
  const files = walk(DIR).filter((f) => /\.m?js$/.test(f));
  if (files.length === 0) throw new Error('no JavaScript under public/console/');
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  const html = readFileSync(join(DIR, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  const bad = scripts.filter((s) => !s.startsWith('/console/'));
  if (bad.length > 0) throw new Error(`index.html loads scripts outside /console/: ${bad.join(', ')}`);
  return { files: files.map((f) => relative(DIR, f)), raw, gz };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let m;
  try {
    m = measureConsole();
  } catch (e) {
    console.error(`check-console-size: ${e.message}`);
    process.exit(1);
  }
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const line = `console: ${m.files.length} JS file(s), ${kb(m.raw)} minified, ${kb(m.gz)} gzipped (budget ${kb(BUDGET)})`;
  if (m.gz > BUDGET) {
    console.error(`check-console-size: FAIL ${line}`);
    process.exit(1);
  }
  console.log(`check-console-size: ok ${line}`);
}
