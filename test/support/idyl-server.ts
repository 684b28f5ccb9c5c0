import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/** How to start `idyl server` for a test. */
export interface IdylServerOptions {
  /** Reuse a data dir (a restart); default: a fresh temp dir removed by `dispose()`. */
  readonly dataDir?: string;
  /** `--heartbeat-timeout`, e.g. `2s`. */
  readonly heartbeatTimeout?: string;
  /** `--node-lost-timeout`, e.g. `3s`. */
  readonly nodeLostTimeout?: string;
  /** `--body-limit`, e.g. `64Ki`. */
  readonly bodyLimit?: string;
  /** `--log-level` (default `warn`: errors of the server show up in `logs()`). */
  readonly logLevel?: string;
  /** The root admin token; default a random one. */
  readonly token?: string;
  /** Bind this port instead of a free one (a restart on the same address). */
  readonly port?: number;
}

/** A running `idyl server` child process. */
export interface IdylServer {
  readonly url: string;
  readonly port: number;
  /** The root account's admin token (`IDYL_BOOTSTRAP_TOKEN`). */
  readonly token: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Everything the server wrote to stderr so far (its JSON log lines). */
  logs(): string;
  /** Log lines at level `error` (a request that became `internal`, a failed round). */
  errors(): string[];
  /** SIGTERM and wait for the exit; resolves the exit code (null if killed by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL (no graceful shutdown) and wait for the process to be gone. */
  kill(): Promise<void>;
  /** Stops the server (if running) and removes the data dir it created. */
  dispose(): Promise<void>;
}

/**
 * Starts `bin/idyl server` as a child process on a free loopback port (or `port`)
 * with a fresh data dir, and resolves once it serves. The process is a real control
 * plane on embedded SQLite; tests talk to it over HTTP or through `bin/idyl`.
 */
export async function startIdylServer(options: IdylServerOptions = {}): Promise<IdylServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'idyl-e2e-server-'));
  const token = options.token ?? `pat_test_${randomBytes(16).toString('hex')}`;
  const args = [
    join(repoRoot(), 'bin/idyl'),
    'server',
    '--data-dir',
    dataDir,
    '--listen',
    `127.0.0.1:${options.port ?? 0}`,
    '--log-level',
    options.logLevel ?? 'warn',
    ...(options.heartbeatTimeout ? ['--heartbeat-timeout', options.heartbeatTimeout] : []),
    ...(options.nodeLostTimeout ? ['--node-lost-timeout', options.nodeLostTimeout] : []),
    ...(options.bodyLimit ? ['--body-limit', options.bodyLimit] : []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, IDYL_BOOTSTRAP_TOKEN: token };
  delete env.IDYL_DATABASE_URL;
  // Node's own flags for the server alone, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it in a benchmark.
  const nodeFlags = (process.env.IDYL_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeFlags, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`idyl server did not start within 20 s:\n${stderr}`)), 20_000);
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const m = /idyl server: serving (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`idyl server exited with ${code} before serving:\n${stderr}`));
    });
  });
  const port = Number(new URL(url).port);
  let stopped: Promise<number | null> | undefined;
  const signal = (sig: NodeJS.Signals): Promise<number | null> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    })();
    return stopped;
  };
  return {
    url,
    port,
    token,
    dataDir,
    pid: child.pid as number,
    logs: () => stderr,
    errors: () => stderr.split('\n').filter((l) => l.includes('"level":"error"')),
    stop: () => signal('SIGTERM'),
    kill: async () => {
      await signal('SIGKILL');
    },
    dispose: async () => {
      await signal('SIGTERM');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
