import { createHash } from 'node:crypto';
import type { PodSpec } from '../../../api/schemas/workload.js';
import type { FrozenIsolation } from '../../../api/workload.js';
import type { Assignment } from '../../../api/wire.js';
import { newId, nameSuffix } from '../../ids.js';
import type { WorkloadRow } from '../../store/rows.js';
import { shapePod, type PodShape } from './pod-shape.js';

/** What a new pod row needs. */
export interface NewPod {
  readonly accountId: string;
  readonly namespace: string;
  readonly name: string;
  readonly subnetId: string;
  readonly spec: PodSpec;
  readonly shape: PodShape;
  readonly isolation: FrozenIsolation;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerId?: string;
  readonly at: string;
}

/** A Pending, unplaced pod row carrying the frozen class. */
export function newPodRow(p: NewPod): WorkloadRow {
  return {
    id: newId('pod'),
    accountId: p.accountId,
    namespace: p.namespace,
    kind: 'Pod',
    name: p.name,
    subnetId: p.subnetId,
    ...(p.ownerId ? { ownerId: p.ownerId } : {}),
    spec: p.spec,
    ...(p.labels ? { labels: p.labels } : {}),
    ...(p.annotations ? { annotations: p.annotations } : {}),
    isolation: p.isolation,
    phase: 'Pending',
    status: { phase: 'Pending', isolation: p.isolation, conditions: [] },
    attempt: 0,
    cpuMillis: p.shape.cpuMillis,
    memoryBytes: p.shape.memoryBytes,
    resourceVersion: 1,
    createdAt: p.at,
    updatedAt: p.at,
  };
}

/** The name of a Deployment's next pod. */
export function replicaName(owner: string): string {
  return `${owner}-${nameSuffix()}`;
}

/**
 * A hash of what a launch depends on, and nothing else: a class inherited from the
 * subnet default and the same class stated explicitly launch alike (field case 9).
 */
export function launchHash(spec: PodSpec, isolation: FrozenIsolation, runtimeProfile: string, limits: { cpuMillis: number; memoryBytes: number }): string {
  const c = spec.containers[0];
  const launch = {
    image: [c?.imageURI, c?.imageDigest ?? null, c?.imagePullPolicy ?? null],
    command: c?.command ?? null,
    args: c?.args ?? null,
    env: c?.env ?? [],
    limits,
    network: spec.network?.class ?? null,
    restart: spec.restartPolicy ?? null,
    gpu: spec.gpu ?? null,
    class: isolation.class,
    runtimeProfile,
  };
  return createHash('sha256').update(JSON.stringify(launch)).digest('hex').slice(0, 16);
}

/** The assignment a node receives for a placed pod; undefined for a pod not placed. */
export function assignmentOf(w: WorkloadRow): Assignment | undefined {
  const p = w.status.placement;
  if (!p || !w.nodeId) return undefined;
  const spec = w.spec as PodSpec;
  const shape = shapePod(spec, 'spec');
  const limits = shape.ok ? { cpuMillis: shape.value.limitCpuMillis, memoryBytes: shape.value.limitMemoryBytes } : { cpuMillis: w.cpuMillis, memoryBytes: w.memoryBytes };
  return {
    podId: w.id,
    name: w.name,
    namespace: w.namespace,
    accountId: w.accountId,
    attempt: w.attempt,
    spec,
    isolation: w.isolation,
    target: { runtimeProfile: p.runtimeProfile, isolationClass: p.isolationClass, ...(p.vmmBackend ? { vmmBackend: p.vmmBackend } : {}), ...(p.gpus ? { gpus: p.gpus } : {}) },
    limits,
    specHash: launchHash(spec, w.isolation, p.runtimeProfile, limits),
  };
}

/**
 * Whether the node already started the pod's current attempt: it was reported running,
 * exited, or restarting (the container state is cleared when a pod is placed anew).
 */
export function startedOnNode(w: WorkloadRow): boolean {
  const c = w.status.container;
  if (w.phase === 'Running') return true;
  if (!c) return false;
  return c.state === 'Running' || c.state === 'Exited' || c.startedAt !== undefined || c.finishedAt !== undefined || c.restartCount > 0;
}
