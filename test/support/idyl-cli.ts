import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/** What one `bin/idyl` run left behind. */
export interface CliResult {
  /** The exit code (a signal counts as -1). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The error a failed `-o json` command prints on stderr. */
export interface CliJsonError {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/**
 * Drives `bin/idyl` as a user would: a child process per command, with its own
 * `--homedir` in a temp dir (contexts, tokens), nothing shared with the machine's
 * `~/.idyl`.
 */
export class IdylCli {
  readonly homedir: string;

  constructor(homedir?: string) {
    this.homedir = homedir ?? mkdtempSync(join(tmpdir(), 'idyl-e2e-home-'));
  }

  /** Runs `idyl --homedir H ...args`; resolves whatever the exit code. */
  run(args: readonly string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot(), 'bin/idyl'), '--homedir', this.homedir, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  /** Runs a command that must succeed with `-o json`; returns the parsed document. */
  async json<T = Record<string, unknown>>(args: readonly string[], options: { stdin?: string } = {}): Promise<T> {
    const r = await this.run([...args, '-o', 'json'], options);
    if (r.code !== 0) throw new Error(`idyl ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Runs a command that must succeed; returns its result. */
  async ok(args: readonly string[], options: { stdin?: string } = {}): Promise<CliResult> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw new Error(`idyl ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  }

  /** Runs a command with `-o json` that must fail; returns the exit code and the parsed error. */
  async fails(args: readonly string[], options: { stdin?: string } = {}): Promise<{ code: number; error: CliJsonError; stdout: string }> {
    const r = await this.run([...args, '-o', 'json'], options);
    if (r.code === 0) throw new Error(`idyl ${args.join(' ')} succeeded but should have failed:\n${r.stdout}`);
    const line = r.stderr.trim().split('\n').at(-1) ?? '';
    let parsed: { error?: CliJsonError };
    try {
      parsed = JSON.parse(line) as { error?: CliJsonError };
    } catch {
      throw new Error(`idyl ${args.join(' ')}: stderr is not one JSON error:\n${r.stderr}`);
    }
    if (!parsed.error) throw new Error(`idyl ${args.join(' ')}: stderr has no error object:\n${r.stderr}`);
    return { code: r.code, error: parsed.error, stdout: r.stdout };
  }

  /** Removes the home dir. */
  dispose(): void {
    rmSync(this.homedir, { recursive: true, force: true });
  }
}
