// Fails the build when the widget (Lit and every module it loads) is over budget gzipped.
// Run by `npm run build:widget` after `vite build`. Prints the figure recorded in docs/BENCHMARKS.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'public', 'widget');
const BUDGET = 15_000; // bytes, gzipped (15 KB)
const ENTRY = 'offer-checkout.js';

let files;
try {
  files = readdirSync(DIR).filter((f) => /\.(m?js|css)$/.test(f));
} catch {
  console.error(`check-widget-size: ${DIR} does not exist; run vite build first.`);
  process.exit(1);
}
if (!files.includes(ENTRY)) {
  console.error(`check-widget-size: ${ENTRY} is missing from public/widget/.`);
  process.exit(1);
}

let raw = 0;
let gz = 0;
for (const f of files) {
  const buf = readFileSync(join(DIR, f));
  raw += statSync(join(DIR, f)).size;
  gz += gzipSync(buf, { level: 9 }).length;
}

// The entry must be self-contained: no bare or remote imports the browser would fetch on top.
const entry = readFileSync(join(DIR, ENTRY), 'utf8');
const imports = [...entry.matchAll(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["'`]([^"'`]+)["'`]|import\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1] ?? m[2]);
const external = imports.filter((spec) => !files.some((f) => spec.endsWith(f)));
if (external.length > 0) {
  console.error(`check-widget-size: ${ENTRY} imports modules outside the bundle: ${external.join(', ')}`);
  process.exit(1);
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const line = `widget: ${files.length} file(s), ${kb(raw)} minified, ${kb(gz)} gzipped (${gz} bytes; budget ${BUDGET})`;
if (gz > BUDGET) {
  console.error(`check-widget-size: FAIL ${line}`);
  process.exit(1);
}
console.log(`check-widget-size: ok ${line}`);
