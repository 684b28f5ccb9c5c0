import { spawn } from 'node:child_process';

/** How a program ended. */
export interface ProgramResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program without a shell, feeding `input` on stdin and adding `env` to the
 * inherited environment; kills it after `timeoutMs`. Resolves undefined when it could
 * not be started (not installed), otherwise with its exit code (-1 when killed) and
 * output. Never rejects.
 */
export function runProgram(
  file: string,
  args: readonly string[],
  timeoutMs: number,
  input?: string,
  env?: Readonly<Record<string, string>>,
): Promise<ProgramResult | undefined> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { env: env ? { ...process.env, ...env } : process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch {
      resolve(undefined);
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
