#!/usr/bin/env node
// Runs one benchmark scenario from the compiled tree.
//   npm run bench -- NAME [--size small|large] [--OPTION VALUE ...]
// Imports dist/bench/NAME.js, calls its exported run({size, ...options}) and prints
// the figures it returns as one JSON object on the last line of stdout.
// Build first (`npm run build`). Hold it to one core with `taskset -c 0`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--'));
if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
  console.error('usage: npm run bench -- NAME [--size small|large] [--OPTION VALUE ...]');
  process.exit(2);
}
const options = { size: 'small' };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (!a.startsWith('--')) continue;
  const [key, inline] = a.slice(2).split('=', 2);
  const value = inline ?? (args[i + 1] !== undefined && !args[i + 1].startsWith('--') ? args[++i] : 'true');
  options[key] = value;
}
const file = join(root, 'dist', 'bench', `${name}.js`);
if (!existsSync(file)) {
  console.error(`bench: ${file} not found; run \`npm run build\` first (benchmarks live in bench/NAME.ts)`);
  process.exit(2);
}
const mod = await import(pathToFileURL(file).href);
if (typeof mod.run !== 'function') {
  console.error(`bench: ${name} exports no run({size}) function`);
  process.exit(2);
}
console.error(`bench: ${name} size=${options.size} node=${process.version}`);
const figures = await mod.run(options);
console.log(JSON.stringify({ bench: name, ...figures }));
