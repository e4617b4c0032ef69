// `node bench/serve.mjs --port N`: the benchmarks' lean runtime (bench/runtime.mjs) on a fresh,
// migrated local D1 with nothing seeded, for other load tools to drive. Prints its URL and the
// platform key, and runs until stopped (Ctrl-C or SIGTERM). Listens on 127.0.0.1 only.
import { parseArgs } from 'node:util';
import { startLeanRuntime } from './runtime.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8790' }, 'round-trips': { type: 'boolean', default: true } } });
const server = await startLeanRuntime({ port: Number(values.port), bindings: values['round-trips'] ? { EXPOSE_ROUND_TRIPS: '1' } : {} });
console.log(`offer-checkout on ${server.runtime}`);
console.log(`URL:          ${server.url}`);
console.log(`PLATFORM_KEY: ${server.platformKey}`);
console.log(`workerd pid:  ${server.pids.join(', ')} (its CPU: /proc/<pid>/stat)`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
