import { open, stat } from 'node:fs/promises';
import type { LogChunk, LogOptions } from '../driver.js';
import { settleOutput, type OutputFiles } from './task-files.js';

const POLL_MS = 100;
const BLOCK = 64 * 1024;

/**
 * Reads a container's two log files: what is there (the last `tail` lines of each
 * stream when asked), then, with `follow`, what is appended until `exited` resolves
 * (and the files have settled) or the signal aborts. Each stream keeps its own order;
 * the relative order of stdout and stderr lines is not recorded.
 */
export async function* readLogFiles(files: OutputFiles, options: LogOptions, exited?: Promise<unknown>): AsyncGenerator<LogChunk> {
  const streams = [
    { stream: 'stdout' as const, path: files.stdout, offset: 0 },
    { stream: 'stderr' as const, path: files.stderr, offset: 0 },
  ];
  for (const s of streams) s.offset = options.tail === undefined ? 0 : await tailOffset(s.path, options.tail);
  let done = false;
  exited?.then(
    () => (done = true),
    () => (done = true),
  );
  for (;;) {
    const finishing = done;
    if (finishing) await settleOutput(files);
    for (const s of streams) {
      for await (const data of readFrom(s.path, s.offset)) {
        s.offset += data.length;
        yield { stream: s.stream, data };
      }
    }
    if (!options.follow || finishing || options.signal?.aborted) return;
    await pause(POLL_MS, options.signal, exited);
  }
}

async function* readFrom(path: string, offset: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    let position = offset;
    for (;;) {
      const buf = Buffer.alloc(BLOCK);
      const { bytesRead } = await handle.read(buf, 0, BLOCK, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The offset where the last `lines` lines of the file begin (a final newline ends a line). */
export async function tailOffset(path: string, lines: number): Promise<number> {
  const size = await stat(path).then((s) => s.size, () => 0);
  if (lines <= 0) return size;
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return 0;
  try {
    let end = size;
    let newlines = 0;
    // A trailing newline closes the last line rather than starting another.
    let skipLast = true;
    while (end > 0) {
      const start = Math.max(0, end - BLOCK);
      const buf = Buffer.alloc(end - start);
      await handle.read(buf, 0, buf.length, start);
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) {
          skipLast = false;
          continue;
        }
        if (skipLast) {
          skipLast = false;
          continue;
        }
        if (++newlines === lines) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

function pause(ms: number, signal: AbortSignal | undefined, exited: Promise<unknown> | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
    signal?.addEventListener('abort', finish, { once: true });
    exited?.then(finish, finish);
  });
}
