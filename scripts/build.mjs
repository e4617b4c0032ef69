#!/usr/bin/env node
// `npm run build`: builds every front end that exists in this tree (the widget always; the
// console once console/vite.config.ts and its `build:console` script are present), so the build
// never breaks while a part is still being written.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const steps = ['build:widget'];
if (pkg.scripts['build:console'] && existsSync(new URL('../console/vite.config.ts', import.meta.url))) {
  steps.push('build:console');
} else {
  console.log('build: no console/vite.config.ts or build:console script yet; skipping the console');
}
for (const step of steps) {
  const r = spawnSync('npm', ['run', '--silent', step], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
