import type { IsolationClass, IsolationSource, RuntimeProfile, VmmBackend } from './isolation.js';
import type { PlacementRecord, Unschedulable } from './placement.js';
import type { WorkloadKind } from './schemas/workload.js';

/** The phases a workload moves through. */
export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The class frozen into a workload at submit, with where it came from (isolation.md section 3.5). */
export interface FrozenIsolation {
  readonly class: IsolationClass;
  readonly source: IsolationSource;
}

/** What the agent verified about how the workload really runs (isolation.md section 7). */
export interface ObservedIsolation {
  readonly class: IsolationClass;
  readonly runtime: string;
  readonly vmmBackend?: VmmBackend;
  /** How it was verified, e.g. "hypervisor pid 812 (qemu-system-x86_64); guest kernel 6.1.38 != host 6.1.0". */
  readonly evidence: string;
  readonly verifiedAt: string;
}

/** A condition on a workload (`Unschedulable`, `PolicyNonCompliant`, `Ready`, ...). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** The node-side state of a pod's container, as the agent last reported it. */
export interface ContainerState {
  /** `Waiting` (accepted by the node), `Pulling`, `Creating`, `Running`, `Exited`. */
  readonly state: 'Waiting' | 'Pulling' | 'Creating' | 'Running' | 'Exited';
  readonly exitCode?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly restartCount: number;
  readonly containerId?: string;
}

/** Status of every workload kind; kind-specific parts are optional. */
export interface WorkloadStatus {
  readonly phase: Phase;
  readonly isolation: FrozenIsolation;
  readonly placement?: PlacementRecord;
  readonly observedIsolation?: ObservedIsolation;
  readonly conditions: readonly Condition[];
  readonly unschedulable?: Unschedulable;
  readonly container?: ContainerState;
  /** A terminal or retrying reason code, e.g. `image_pull_failed`. */
  readonly reason?: string;
  readonly message?: string;
  /** Deployment: replica counts. */
  readonly replicas?: { readonly desired: number; readonly created: number; readonly running: number };
  /** Sandbox: when its TTL runs out. */
  readonly expiresAt?: string;
}

/** A reference from a pod to the workload that owns it. */
export interface OwnerReference {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly id: string;
}

/** Metadata of a stored workload. */
export interface WorkloadMetadata {
  readonly name: string;
  readonly id: string;
  readonly accountId: string;
  /** The subnet as the user addressed it: its bound name, else its slug. */
  readonly subnet: string;
  readonly subnetSlug: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Increases with every change to the record. */
  readonly resourceVersion: number;
}

/** A workload as the API returns it. `spec` is the kind's spec as submitted. */
export interface Workload<S = unknown> {
  readonly kind: WorkloadKind;
  readonly metadata: WorkloadMetadata;
  readonly spec: S;
  readonly status: WorkloadStatus;
}

/** The placement fields the agent needs to launch a pod (part of an assignment). */
export interface LaunchTarget {
  readonly runtimeProfile: RuntimeProfile;
  readonly isolationClass: IsolationClass;
  readonly vmmBackend?: VmmBackend;
  readonly gpus?: readonly string[];
}
