import { round } from './stats.js';

/** Latency figures of a series of requests, in milliseconds (two decimals). */
export interface LatencyFigures {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The `p`th percentile (nearest rank) of an ascending series; 0 when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** p50, p99 and max of `ms` (any order). */
export function latencies(ms: readonly number[]): LatencyFigures {
  const s = [...ms].sort((a, b) => a - b);
  return { requests: s.length, p50Ms: round(percentile(s, 50), 2), p99Ms: round(percentile(s, 99), 2), maxMs: round(s[s.length - 1] ?? 0, 2) };
}
