import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';

/** A sink the CLI writes text to (process streams in use, buffers in tests). */
export interface TextSink {
  write(chunk: string | Uint8Array): unknown;
}

/**
 * Everything the CLI touches outside itself, gathered at the edge so that commands
 * never read `process` and tests can drive `run()` with buffers.
 */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: NodeJS.ReadableStream;
  /** Progress and prompts appear only when this is true. */
  readonly stderrIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** The user's home directory; `--homedir` defaults to `<home>/.idyl`. */
  readonly home: string;
  /** Print stack traces of unexpected faults (`IDYL_DEBUG=1`). */
  readonly debug: boolean;
  /** Aborts when the user interrupts (Ctrl-C). */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  /** Asks a yes/no question on the terminal; only called when both stdin and stderr are TTYs. */
  readonly confirm: (question: string) => Promise<boolean>;
}

/** The process's own streams, environment and Ctrl-C, read once here. */
export function processIo(signal: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    home: homedir(),
    debug: process.env.IDYL_DEBUG === '1',
    signal,
    now: () => new Date(),
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
  };
}

/** All of stdin as UTF-8 text (`-f -`, `--token -`). */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
