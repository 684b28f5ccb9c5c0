import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bin/idyl` of this checkout, to start background copies of the CLI. */
export function idylBin(): string {
  // dist/src/cli/local/processes.js → repository root
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'idyl');
}

/** Starts `idyl ARGS` detached from this process, output appended to `logFile`; writes its pid to `pidFile`. */
export function startDetached(args: readonly string[], logFile: string, pidFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [idylBin(), ...args], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
    child.unref();
    if (!child.pid) throw new Error(`could not start idyl ${args[0]}`);
    writeFileSync(pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The pid in `pidFile` when that process still runs. */
export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM and waits up to `timeoutMs` for the process to end (then SIGKILL); removes the pid file. */
export async function stopProcess(pidFile: string, timeoutMs = 15_000): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (runningPid(pidFile) === undefined) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (runningPid(pidFile) !== undefined) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}

/** Polls `probe` until it answers true or `timeoutMs` passes. */
export async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !signal?.aborted) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}
