import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readLogFiles, tailOffset } from './log-reader.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idyl-logs-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(iterable: AsyncIterable<{ stream: string; data: Buffer }>) {
  const out: Record<string, string> = { stdout: '', stderr: '' };
  for await (const c of iterable) out[c.stream] += c.data.toString();
  return out;
}

test('tail finds the start of the last N lines, a final newline closing the last line', async () => {
  const file = join(dir, 'tail.log');
  await writeFile(file, 'a\nb\nc\n');
  assert.equal(await tailOffset(file, 1), 4);
  assert.equal(await tailOffset(file, 2), 2);
  assert.equal(await tailOffset(file, 10), 0);
  assert.equal(await tailOffset(file, 0), 6);
  await writeFile(file, 'a\nb\npartial');
  assert.equal(await tailOffset(file, 1), 4);
  assert.equal(await tailOffset(join(dir, 'missing'), 3), 0);
});

test('tail across block boundaries', async () => {
  const file = join(dir, 'big.log');
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
  await writeFile(file, lines.join('\n') + '\n');
  const out = await collect(readLogFiles({ stdout: file, stderr: join(dir, 'none') }, { follow: false, tail: 3 }));
  assert.equal(out.stdout, 'line 19997\nline 19998\nline 19999\n');
});

test('follow keeps reading appended output until the exit promise settles', async () => {
  const files = { stdout: join(dir, 'f.out'), stderr: join(dir, 'f.err') };
  await writeFile(files.stdout, 'first\n');
  await writeFile(files.stderr, '');
  let exit: () => void = () => undefined;
  const exited = new Promise<void>((r) => (exit = r));
  const reading = collect(readLogFiles(files, { follow: true }, exited));
  await new Promise((r) => setTimeout(r, 150));
  await appendFile(files.stdout, 'second\n');
  await appendFile(files.stderr, 'oops\n');
  await new Promise((r) => setTimeout(r, 150));
  exit();
  assert.deepEqual(await reading, { stdout: 'first\nsecond\n', stderr: 'oops\n' });
});

test('follow ends when the signal aborts', async () => {
  const files = { stdout: join(dir, 'a.out'), stderr: join(dir, 'a.err') };
  await writeFile(files.stdout, 'x\n');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  const out = await collect(readLogFiles(files, { follow: true, signal: controller.signal }, new Promise(() => undefined)));
  assert.equal(out.stdout, 'x\n');
  assert.ok(Date.now() - started < 2000);
});
