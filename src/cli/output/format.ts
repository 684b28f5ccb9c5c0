import { formatBytes, formatCpu } from '../../api/quantity.js';
import type { RuntimePolicy } from '../../api/subnet.js';

/** How long ago `iso` was, as people read it: `45s`, `12m`, `3h`, `5d`; `-` when unknown. */
export function age(iso: string | undefined, now: Date): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  return span(Math.max(0, now.getTime() - t));
}

/** How long until `iso`, as people read it (`in 2h`), or `expired`. */
export function until(iso: string | undefined, now: Date): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const ms = t - now.getTime();
  return ms <= 0 ? 'expired' : `in ${span(ms)}`;
}

function span(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** CPU and memory as `500m/512Mi`; `-` when absent. */
export function cpuMemory(r: { readonly cpuMillis: number; readonly memoryBytes: number } | undefined): string {
  if (!r) return '-';
  return `${formatCpu(r.cpuMillis)}/${formatBytes(r.memoryBytes)}`;
}

/** A runtime policy in one line: `allowed=container,microvm default=microvm backends=qemu gpu strict`; `none` when absent. */
export function policySummary(p: RuntimePolicy | undefined): string {
  if (!p || Object.keys(p).length === 0) return 'none';
  const parts: string[] = [];
  if (p.allowedIsolationClasses) parts.push(`allowed=${p.allowedIsolationClasses.join(',') || '(none)'}`);
  if (p.defaultIsolationClass) parts.push(`default=${p.defaultIsolationClass}`);
  if (p.requireExplicitIsolationClass) parts.push('strict');
  if (p.allowedVMMBackends) parts.push(`backends=${p.allowedVMMBackends.join(',') || '(none)'}`);
  if (p.microvmGPU) parts.push('microvm-gpu');
  return parts.join(' ') || 'none';
}

/** A value for a table cell: strings as they are, absent as `-`. */
export function cell(v: string | number | boolean | undefined | null): string {
  return v === undefined || v === null || v === '' ? '-' : String(v);
}
