import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (the compiled tests run from dist/). */
export const REPO_ROOT = process.env.IDYL_REPO_ROOT ?? new URL('../../..', import.meta.url).pathname;
/** `bin/idyl`, run with this Node. */
export const IDYL_BIN = join(REPO_ROOT, 'bin', 'idyl');

/** What one `bin/idyl` invocation did. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bin/idyl args` as a user would (child process); resolves when it exits. */
export function idyl(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [IDYL_BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A CLI user: `bin/idyl` with their own `--homedir` in a temp dir. */
export class CliUser {
  readonly homedir: string;

  constructor(readonly label: string) {
    this.homedir = mkdtempSync(join(tmpdir(), `idyl-${label}-`));
  }

  /** Runs a command as this user. */
  run(...args: string[]): Promise<CliRun> {
    return idyl(['--homedir', this.homedir, ...args]);
  }

  /** Runs a command that must succeed; returns its stdout. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (r.code !== 0) throw new Error(`${this.label}: idyl ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    return r.stdout;
  }

  /** Runs a command with `-o json` that must succeed; returns the parsed document. */
  async json<T = unknown>(...args: string[]): Promise<T> {
    return JSON.parse(await this.ok(...args, '-o', 'json')) as T;
  }

  /** Runs a command with `-o json` that must fail; returns the error code and message from stderr. */
  async refused(...args: string[]): Promise<{ code: string; message: string; exit: number; stderr: string; stdout: string }> {
    const r = await this.run(...args, '-o', 'json');
    if (r.code === 0) throw new Error(`${this.label}: idyl ${args.join(' ')} should have been refused:\n${r.stdout}`);
    const err = (JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}') as { error?: { code: string; message: string } }).error;
    return { code: err?.code ?? '?', message: err?.message ?? r.stderr, exit: r.code, stderr: r.stderr, stdout: r.stdout };
  }

  remove(): void {
    rmSync(this.homedir, { recursive: true, force: true });
  }
}

/** An `idyl server` child process on a free loopback port. */
export interface ServerProcess {
  readonly url: string;
  readonly rootToken: string;
  readonly dataDir: string;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for it to exit, remove its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts `bin/idyl server --data-dir TMP --listen HOST:0 [extra]` with a known root
 * token and resolves with its address once it serves.
 */
export async function startServerProcess(extra: readonly string[] = [], options: { host?: string; rootToken?: string } = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idyl-server-'));
  const rootToken = options.rootToken ?? `idyl_pat_root-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(process.execPath, [IDYL_BIN, 'server', '--data-dir', dataDir, '--listen', `${options.host ?? '127.0.0.1'}:0`, ...extra], {
    env: { ...process.env, IDYL_BOOTSTRAP_TOKEN: rootToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`idyl server did not start within 20s:\n${out}`)), 20_000);
    const look = () => {
      const m = /serving (https?:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`idyl server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    rootToken,
    dataDir,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
