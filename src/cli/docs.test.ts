import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { App } from './app.js';
import { buildProgram } from './program.js';

const docsPath = new URL('../../../docs/cli.md', import.meta.url);

function leaves(cmd: Command, prefix: string[] = []): Array<{ path: string; cmd: Command }> {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [{ path: prefix.join(' '), cmd }];
  return subs.flatMap((c) => leaves(c, [...prefix, c.name()]));
}

const program = buildProgram(
  new App({
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: Readable.from([]),
    stderrIsTTY: false,
    stdinIsTTY: false,
    home: '/nonexistent',
    debug: false,
    signal: new AbortController().signal,
    now: () => new Date(),
    confirm: async () => false,
  }),
);

test('docs/cli.md names every command and every flag the CLI has', () => {
  const docs = readFileSync(docsPath, 'utf8');
  const missing: string[] = [];
  for (const opt of program.options) if (opt.long && !docs.includes(opt.long)) missing.push(`global ${opt.long}`);
  for (const { path, cmd } of leaves(program)) {
    if (!docs.includes(path)) missing.push(`command "${path}"`);
    for (const opt of cmd.options) {
      if (opt.long && opt.long !== '--help' && !docs.includes(opt.long)) missing.push(`${path} ${opt.long}`);
    }
  }
  assert.deepEqual(missing, []);
});
