import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Random tokens sent per size. */
export const BRUTE_FORCE_SIZES = { small: 1_000, large: 10_000 } as const;

/** The figures one run reports. */
export interface BruteForceFigures {
  readonly size: string;
  readonly tokens: number;
  /** Guessing requests in flight at once. */
  readonly concurrency: number;
  /** HTTP status → how many guesses got it (all should be 401). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly all401: boolean;
  readonly attackSeconds: number;
  readonly guessesPerSecond: number;
  /** A valid token's requests while nothing else runs. */
  readonly baseline: LatencyFigures;
  /** The same requests while the guessing runs. */
  readonly underAttack: LatencyFigures;
  /** Valid requests that did not answer 200 (during the attack). */
  readonly validFailures: number;
}

export interface LatencyFigures {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const root = new URL('../..', import.meta.url).pathname;

/** Starts `bin/idyl server` on a free loopback port with a known root token. */
async function startServer(rootToken: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idyl-bench-'));
  const child = spawn(process.execPath, [join(root, 'bin', 'idyl'), 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
    env: { ...process.env, IDYL_BOOTSTRAP_TOKEN: rootToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const look = (c: Buffer) => {
      out += c.toString();
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`idyl server exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function get(agent: http.Agent, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/v1/whoami`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function latencies(ms: number[]): LatencyFigures {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { requests: s.length, p50Ms: r(percentile(s, 50)), p99Ms: r(percentile(s, 99)), maxMs: r(s[s.length - 1] ?? 0) };
}

/** A valid client calling every `everyMs` until `stop()`; collects latencies and failures. */
function validClient(url: string, token: string, everyMs: number): { stop: () => Promise<{ ms: number[]; failures: number }> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const status = await get(agent, url, token).catch(() => 0);
      ms.push(performance.now() - t0);
      if (status !== 200) failures++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      agent.destroy();
      return { ms, failures };
    },
  };
}

/**
 * Sends `tokens` random bearer tokens (shaped like real ones) at a real `idyl server`
 * from `concurrency` connections, while a valid client keeps calling. Reports the
 * guesses' statuses and the valid client's latency before and during the attack.
 */
export async function run(options: { size?: string; concurrency?: string; tokens?: string }): Promise<BruteForceFigures> {
  const size = options.size ?? 'small';
  const tokens = Number(options.tokens ?? BRUTE_FORCE_SIZES[size as keyof typeof BRUTE_FORCE_SIZES] ?? BRUTE_FORCE_SIZES.small);
  const concurrency = Number(options.concurrency ?? 32);
  const rootToken = `idyl_pat_${randomBytes(30).toString('base64url')}`;
  const server = await startServer(rootToken);
  try {
    const base = validClient(server.url, rootToken, 2);
    await new Promise((r) => setTimeout(r, 1500));
    const baseline = await base.stop();

    const valid = validClient(server.url, rootToken, 2);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const statuses: Record<string, number> = {};
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < tokens) {
          next++;
          const status = await get(agent, server.url, `idyl_pat_${randomBytes(30).toString('base64url')}`).catch(() => 0);
          statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        }
      }),
    );
    const attackSeconds = (performance.now() - t0) / 1000;
    agent.destroy();
    const during = await valid.stop();
    return {
      size,
      tokens,
      concurrency,
      statuses,
      all401: statuses['401'] === tokens,
      attackSeconds: Math.round(attackSeconds * 100) / 100,
      guessesPerSecond: Math.round(tokens / attackSeconds),
      baseline: latencies(baseline.ms),
      underAttack: latencies(during.ms),
      validFailures: during.failures,
    };
  } finally {
    await server.stop();
  }
}
