import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { startIdylServer } from '../test/support/idyl-server.js';
import { inParallel, requestJson } from './http-json.js';
import { latencies, type LatencyFigures } from './latency.js';

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

/** A valid client calling every `everyMs` until `stop()`; collects latencies and failures. */
function validClient(url: string, token: string, everyMs: number): { stop: () => Promise<{ ms: number[]; failures: number }> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const status = (await requestJson(agent, url, 'GET', '/v1/whoami', token)).status;
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
  const server = await startIdylServer({ token: rootToken });
  try {
    const base = validClient(server.url, rootToken, 2);
    await new Promise((r) => setTimeout(r, 1500));
    const baseline = await base.stop();

    const valid = validClient(server.url, rootToken, 2);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const statuses: Record<string, number> = {};
    const t0 = performance.now();
    await inParallel(tokens, concurrency, async () => {
      const status = (await requestJson(agent, server.url, 'GET', '/v1/whoami', `idyl_pat_${randomBytes(30).toString('base64url')}`)).status;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    });
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
    await server.dispose();
  }
}
