import type { GpuDevice } from '../../api/gpu.js';
import type { CapabilityReport, HostCheck } from '../../api/node.js';

/** How one check moved between two reports. */
export interface CheckChange {
  readonly name: string;
  /** `absent` when the check was not in that report (e.g. a GPU that came or went). */
  readonly from: 'passed' | 'failed' | 'absent';
  readonly to: 'passed' | 'failed' | 'absent';
  /** The newer detail (the older one when the check disappeared). */
  readonly detail: string;
}

/** What changed between the last report sent and a fresh one. */
export interface ReportDiff {
  /** True when anything below is non-empty: the agent sends the new report now. */
  readonly changed: boolean;
  /** Set when `verified` flipped. */
  readonly verified?: { readonly from: boolean; readonly to: boolean };
  /** Checks that flipped, appeared, disappeared, or whose detail changed while failing. */
  readonly checks: readonly CheckChange[];
  readonly gpusAdded: readonly GpuDevice[];
  readonly gpusRemoved: readonly GpuDevice[];
  /** Same id, different description (mode, model, memory, address). */
  readonly gpusChanged: ReadonlyArray<{ readonly before: GpuDevice; readonly after: GpuDevice }>;
  readonly runtimesAdded: readonly string[];
  readonly runtimesRemoved: readonly string[];
  /** Other top-level facts that changed: `engine`, `kernel`, `capacity`, `attributes.cuda`, ... */
  readonly fields: readonly string[];
  /** One line per change, for logs and events ("kata.shim: passed → failed: ..."). */
  readonly summary: readonly string[];
}

/**
 * Compares the report last sent (`before`; undefined before the first one) with a
 * fresh one. The agent calls it on every probe and sends `after` when `changed`, so a
 * capability that disappears is reported within one heartbeat (field cases 3, 29).
 * A passing check whose detail moved (e.g. a version) counts only through `fields`.
 */
export function diffReports(before: CapabilityReport | undefined, after: CapabilityReport): ReportDiff {
  const checks = diffChecks(before?.checks ?? [], after.checks);
  const oldGpus = new Map((before?.gpus ?? []).map((g) => [g.id, g]));
  const newGpus = new Map(after.gpus.map((g) => [g.id, g]));
  const gpusAdded = after.gpus.filter((g) => !oldGpus.has(g.id));
  const gpusRemoved = (before?.gpus ?? []).filter((g) => !newGpus.has(g.id));
  const gpusChanged = after.gpus.flatMap((g) => {
    const old = oldGpus.get(g.id);
    return old && !sameJson(old, g) ? [{ before: old, after: g }] : [];
  });
  const oldRuntimes = new Set(before?.runtimes ?? []);
  const newRuntimes = new Set(after.runtimes);
  const runtimesAdded = after.runtimes.filter((r) => !oldRuntimes.has(r));
  const runtimesRemoved = (before?.runtimes ?? []).filter((r) => !newRuntimes.has(r));
  const fields = before ? changedFields(before, after) : ['report'];
  const verified = before && before.verified !== after.verified ? { from: before.verified, to: after.verified } : undefined;
  const summary = [
    ...(verified ? [`verified: ${verified.from} → ${verified.to}`] : []),
    ...checks.map((c) => `${c.name}: ${c.from} → ${c.to}: ${c.detail}`),
    ...gpusAdded.map((g) => `GPU added: ${g.id} (${g.model ?? `${g.vendorId}:${g.deviceId}`}, ${g.mode})`),
    ...gpusRemoved.map((g) => `GPU removed: ${g.id} (${g.model ?? `${g.vendorId}:${g.deviceId}`}, ${g.mode})`),
    ...gpusChanged.map((c) => `GPU changed: ${c.after.id} (${c.before.mode} → ${c.after.mode})`),
    ...runtimesAdded.map((r) => `runtime added: ${r}`),
    ...runtimesRemoved.map((r) => `runtime removed: ${r}`),
    ...fields.map((f) => `changed: ${f}`),
  ];
  return {
    changed: summary.length > 0,
    ...(verified && { verified }),
    checks,
    gpusAdded,
    gpusRemoved,
    gpusChanged,
    runtimesAdded,
    runtimesRemoved,
    fields,
    summary,
  };
}

function diffChecks(before: readonly HostCheck[], after: readonly HostCheck[]): CheckChange[] {
  const state = (c: HostCheck | undefined) => (c === undefined ? 'absent' : c.ok ? 'passed' : 'failed');
  const old = new Map(before.map((c) => [c.name, c]));
  const now = new Map(after.map((c) => [c.name, c]));
  const out: CheckChange[] = [];
  for (const c of after) {
    const was = old.get(c.name);
    const moved = state(was) !== state(c);
    // A failing check whose reason changed is news for the node condition.
    const newReason = !c.ok && was !== undefined && !was.ok && was.detail !== c.detail;
    if (moved || newReason) out.push({ name: c.name, from: state(was), to: state(c), detail: c.detail });
  }
  for (const c of before) {
    if (!now.has(c.name)) out.push({ name: c.name, from: state(c), to: 'absent', detail: c.detail });
  }
  return out;
}

function changedFields(before: CapabilityReport, after: CapabilityReport): string[] {
  const out: string[] = [];
  const top = ['runtimeProfile', 'platform', 'kernel', 'engine', 'capacity', 'microvmGPU', 'overhead'] as const;
  for (const key of top) if (!sameJson(before[key], after[key])) out.push(key);
  const keys = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const k of [...keys].sort()) if (before.attributes[k] !== after.attributes[k]) out.push(`attributes.${k}`);
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
