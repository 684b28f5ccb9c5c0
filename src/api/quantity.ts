import { refuse, ok, type Outcome } from './outcome.js';

/**
 * Quantities as users write them (IDYL's formats):
 * CPU `1`, `0.5` (at most 3 decimals), `500m`; memory and disk in binary units
 * `Ki Mi Gi Ti`, decimal units `B K M G T`, or bare bytes.
 */

const CPU_RE = /^(\d+)(?:\.(\d{1,3}))?$/;
const CPU_MILLI_RE = /^(\d+)m$/;
const BYTES_RE = /^(\d+)(?:\.(\d+))?(Ki|Mi|Gi|Ti|B|K|M|G|T)?$/;

const UNIT: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** The largest CPU request accepted, in millicores (1024 cores). */
export const MAX_CPU_MILLIS = 1024 * 1000;
/** The largest memory or disk quantity accepted (1 PiB). */
export const MAX_BYTES = 2 ** 50;

/** Parses a CPU quantity into millicores; `field` names it in the refusal. */
export function parseCpu(value: unknown, field: string): Outcome<number> {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '') {
    return refuse('validation_failed', `${field}: a CPU quantity is a string such as "1", "0.5" or "500m"`, { field });
  }
  const s = text.trim();
  const milli = CPU_MILLI_RE.exec(s);
  let millis: number | undefined;
  if (milli) millis = Number(milli[1]);
  const whole = CPU_RE.exec(s);
  if (whole) millis = Number(whole[1]) * 1000 + Number((whole[2] ?? '').padEnd(3, '0') || 0);
  if (millis === undefined) {
    return refuse('validation_failed', `${field}: "${s}" is not a CPU quantity; use cores ("1", "0.5", at most 3 decimals) or millicores ("500m")`, { field });
  }
  if (millis > MAX_CPU_MILLIS) {
    return refuse('validation_failed', `${field}: "${s}" is more than the largest CPU quantity (1024 cores)`, { field });
  }
  return ok(millis);
}

/** Parses a memory or disk quantity into bytes; `field` names it in the refusal. */
export function parseBytes(value: unknown, field: string): Outcome<number> {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '') {
    return refuse('validation_failed', `${field}: a size is a string such as "512Mi", "1Gi", "500M" or bare bytes`, { field });
  }
  const s = text.trim();
  const m = BYTES_RE.exec(s);
  if (!m) {
    return refuse('validation_failed', `${field}: "${s}" is not a size; use Ki, Mi, Gi, Ti (binary), B, K, M, G, T (decimal) or bare bytes`, {
      field,
      allowed: ['Ki', 'Mi', 'Gi', 'Ti', 'B', 'K', 'M', 'G', 'T'],
    });
  }
  const unit = UNIT[m[3] ?? ''] ?? 1;
  const bytes = Math.round(Number(`${m[1]}.${m[2] ?? '0'}`) * unit);
  if (m[2] !== undefined && unit === 1) {
    return refuse('validation_failed', `${field}: "${s}" has a fraction of a byte`, { field });
  }
  if (!Number.isSafeInteger(bytes) || bytes > MAX_BYTES) {
    return refuse('validation_failed', `${field}: "${s}" is more than the largest size accepted (1Pi)`, { field });
  }
  return ok(bytes);
}

/** Formats bytes the way people read them (`512Mi`, `1.5Gi`). */
export function formatBytes(bytes: number): string {
  const units: Array<[string, number]> = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [u, n] of units) {
    if (bytes >= n) {
      const v = bytes / n;
      return `${Number.isInteger(v) ? v : v.toFixed(1)}${u}`;
    }
  }
  return String(bytes);
}

/** Formats millicores the way people read them (`2`, `500m`). */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Parses a duration such as `90s`, `15m`, `2h`, `7d` (or combinations, `1h30m`) into milliseconds. */
export function parseDuration(value: unknown, field: string): Outcome<number> {
  const s = typeof value === 'string' ? value.trim() : '';
  const re = /(\d+)(ms|s|m|h|d)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (unit[m[2] ?? 's'] ?? 1000);
    matched = re.lastIndex;
  }
  if (s === '' || matched !== s.length || !Number.isSafeInteger(total)) {
    return refuse('validation_failed', `${field}: "${String(value)}" is not a duration; use e.g. 90s, 15m, 2h, 7d`, { field });
  }
  return ok(total);
}
