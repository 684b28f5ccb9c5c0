import { PROFILE_TABLE, type RuntimeProfile } from '../api/isolation.js';
import type { GpuDevice } from '../api/gpu.js';
import type { Assignment } from '../api/wire.js';
import { LABELS, type LaunchSpec, type PullPolicy } from './runtime/driver.js';

/** The engine-level name of one launch of a pod: unique per attempt and restart. */
export function containerName(a: Assignment, restart: number): string {
  const base = `idyl-${a.name}-${a.podId.slice(-6)}-${a.attempt}`;
  return restart > 0 ? `${base}-r${restart}` : base;
}

/** `imagePullPolicy`, or its default: `always` for `:latest` or no tag, else `if_not_present`. */
export function pullPolicyOf(a: Assignment): PullPolicy {
  const c = a.spec.containers[0];
  if (c?.imagePullPolicy) return c.imagePullPolicy;
  if (c?.imageDigest) return 'if_not_present';
  const uri = c?.imageURI ?? '';
  const lastPart = uri.slice(uri.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : undefined;
  return tag === undefined || tag === 'latest' ? 'always' : 'if_not_present';
}

/** The labels on everything launched for an assignment (style.md rule 9). */
export function labelsOf(a: Assignment, nodeId: string, restart: number): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.workload]: a.podId,
    [LABELS.workloadName]: a.name,
    [LABELS.node]: nodeId,
    [LABELS.specHash]: a.specHash,
    [LABELS.attempt]: String(a.attempt),
    'idyl.restart': String(restart),
  };
}

/**
 * What the driver is asked to create for an assignment, from the node's own profile
 * (the runtime is always named) and its GPUs. Depends only on the launch-relevant
 * parts of the assignment, so a class inherited from the subnet and the same class
 * stated explicitly give the same spec apart from names and labels (field case 9).
 */
export function launchSpecOf(a: Assignment, nodeId: string, profile: RuntimeProfile, gpus: readonly GpuDevice[], restart: number): LaunchSpec {
  const c = a.spec.containers[0];
  if (!c) throw new Error(`assignment ${a.podId} has no container`);
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) env[e.name] = e.value;
  const wanted = new Set(a.target.gpus ?? []);
  return {
    name: containerName(a, restart),
    image: { uri: c.imageURI, ...(c.imageDigest ? { digest: c.imageDigest } : {}) },
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    env,
    cpuMillis: a.limits.cpuMillis,
    memoryBytes: a.limits.memoryBytes,
    network: a.spec.network?.class ?? 'none',
    runtime: PROFILE_TABLE[profile].runtime,
    labels: labelsOf(a, nodeId, restart),
    ...(wanted.size ? { gpus: gpus.filter((g) => wanted.has(g.id)) } : {}),
  };
}
