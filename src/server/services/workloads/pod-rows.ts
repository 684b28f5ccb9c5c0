import { createHash } from 'node:crypto';
import type { PodSpec } from '../../../api/schemas/workload.js';
import type { FrozenIsolation } from '../../../api/workload.js';
import type { Assignment } from '../../../api/wire.js';
import { newId, nameSuffix } from '../../ids.js';
import type { WorkloadRow } from '../../store/rows.js';
import type { PodShape } from './pod-shape.js';

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

/** A hash of what a launch depends on: the same inputs give the same launch (field case 9). */
export function launchHash(spec: PodSpec, isolation: FrozenIsolation, runtimeProfile: string): string {
  // The source of the class is not part of the launch: inherited and explicit launch alike.
  return createHash('sha256').update(JSON.stringify([spec, isolation.class, runtimeProfile])).digest('hex').slice(0, 16);
}

/** The assignment a node receives for a placed pod; undefined for a pod not placed. */
export function assignmentOf(w: WorkloadRow): Assignment | undefined {
  const p = w.status.placement;
  if (!p || !w.nodeId) return undefined;
  const spec = w.spec as PodSpec;
  return {
    podId: w.id,
    name: w.name,
    namespace: w.namespace,
    accountId: w.accountId,
    attempt: w.attempt,
    spec,
    isolation: w.isolation,
    target: { runtimeProfile: p.runtimeProfile, isolationClass: p.isolationClass, ...(p.vmmBackend ? { vmmBackend: p.vmmBackend } : {}), ...(p.gpus ? { gpus: p.gpus } : {}) },
    specHash: launchHash(spec, w.isolation, p.runtimeProfile),
  };
}
