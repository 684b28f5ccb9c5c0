import type { ContainerInfo } from '../driver.js';
import type { ContainerRecord, TaskProcess, Timestamp } from './api-types.js';

/**
 * A container as the driver reports it, from containerd's container record and its
 * task (absent = never started). `startedAt` comes from the driver's own record of the
 * start. A task that is created but not started counts as `created`; paused counts as
 * `running`.
 */
export function toContainerInfo(record: ContainerRecord, task: TaskProcess | undefined, startedAt?: string): ContainerInfo {
  const base = {
    id: record.id,
    name: record.id,
    labels: { ...record.labels },
    runtime: record.runtime?.name ?? '',
  };
  if (!task || task.status === 'CREATED') return { ...base, state: 'created' };
  if (task.status === 'STOPPED') {
    const finishedAt = isoTime(task.exitedAt);
    return {
      ...base,
      state: 'exited',
      exitCode: task.exitStatus,
      ...(startedAt ? { startedAt } : {}),
      ...(finishedAt ? { finishedAt } : {}),
    };
  }
  if (task.status === 'RUNNING' || task.status === 'PAUSED' || task.status === 'PAUSING') {
    return { ...base, state: 'running', ...(task.pid ? { pid: task.pid } : {}), ...(startedAt ? { startedAt } : {}) };
  }
  return { ...base, state: 'unknown' };
}

/** An ISO-8601 time from a protobuf timestamp; undefined for the zero time. */
export function isoTime(ts: Timestamp | null | undefined): string | undefined {
  if (!ts || ts.seconds <= 0) return undefined;
  return new Date(ts.seconds * 1000 + Math.floor(ts.nanos / 1e6)).toISOString();
}

/**
 * containerd list filters for a label selector. Values containerd's filter syntax
 * would need quoting for are left to the caller's own check; the result always
 * narrows, never widens.
 */
export function labelFilters(selector: Readonly<Record<string, string>>): string[] {
  const parts = Object.entries(selector)
    .filter(([k, v]) => /^[A-Za-z0-9._/-]+$/.test(k) && /^[A-Za-z0-9._-]+$/.test(v))
    .map(([k, v]) => `labels."${k}"==${v}`);
  return parts.length ? [parts.join(',')] : [];
}

/** True when `labels` hold every pair of `selector`. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
