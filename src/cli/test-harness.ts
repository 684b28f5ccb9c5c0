import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from './io.js';
import { run } from './main.js';

/** What one CLI run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How the simulated terminal behaves. */
export interface HarnessOptions {
  /** Text on stdin. */
  readonly stdin?: string;
  /** stdin and stderr are terminals (progress and prompts appear). */
  readonly tty?: boolean;
  /** The answer to a confirmation prompt. */
  readonly confirm?: boolean;
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

/**
 * FOR TESTS ONLY: runs `idyl` in-process with buffers for stdout/stderr and a private
 * home directory, so tests see exactly what a user would, exit code included.
 */
export class CliHarness {
  /** A fresh home directory; `~/.idyl` lives under it. */
  readonly home = mkdtempSync(join(tmpdir(), 'idyl-cli-home-'));
  /** Questions the CLI asked. */
  readonly prompts: string[] = [];

  /** `<home>/.idyl`, the default `--homedir`. */
  get homedir(): string {
    return join(this.home, '.idyl');
  }

  async run(argv: string[], o: HarnessOptions = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (c) => (stdout += typeof c === 'string' ? c : Buffer.from(c).toString('utf8')) },
      stderr: { write: (c) => (stderr += typeof c === 'string' ? c : Buffer.from(c).toString('utf8')) },
      stdin: Readable.from(o.stdin !== undefined ? [Buffer.from(o.stdin)] : []),
      stderrIsTTY: o.tty === true,
      stdinIsTTY: o.tty === true,
      home: this.home,
      debug: false,
      signal: o.signal ?? new AbortController().signal,
      now: () => o.now ?? new Date(),
      confirm: async (q) => {
        this.prompts.push(q);
        return o.confirm === true;
      },
    };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  }

  /** Removes the home directory. */
  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
