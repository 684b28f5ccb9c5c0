import type { GpuDevice } from './gpu.js';
import type { IsolationClass, Platform, RuntimeProfile, VmmBackend } from './isolation.js';

/** One host check (isolation.md section 6): a name, pass/fail and a detail a provider can act on. */
export interface HostCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** CPU and memory in the units the scheduler counts. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/**
 * What a node found on its host, read from the live daemons. Sent at join and
 * with heartbeats whenever it changes.
 */
export interface CapabilityReport {
  readonly runtimeProfile: RuntimeProfile;
  /** True only when every check for the profile passed. */
  readonly verified: boolean;
  readonly checks: readonly HostCheck[];
  readonly platform: Platform;
  readonly kernel: string;
  readonly capacity: Resources;
  /** The engine that answered, with its version. */
  readonly engine: { readonly name: 'docker' | 'containerd'; readonly version: string };
  /** Runtimes the live daemon offers (not what config files list). */
  readonly runtimes: readonly string[];
  readonly gpus: readonly GpuDevice[];
  /** Host facts `require` expressions are matched against (e.g. `cuda: 13.0`, `kernel: 6.1.0`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The provider declared a validated microVM GPU path (`--microvm-gpu`). */
  readonly microvmGPU: boolean;
  /** Extra cost of one microVM on this node; absent = the backend's default. */
  readonly overhead?: Resources;
}

/** Node states as `idyl node get` shows them. */
export type NodeState = 'connected' | 'disconnected' | 'pending-admission';

/** A node condition, e.g. a failed host check (field case 29). */
export interface NodeCondition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly since: string;
}

/** A node as the API returns it. */
export interface NodeInfo {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly fleetId?: string;
  readonly subnet: string;
  readonly subnetSlug: string;
  readonly state: NodeState;
  readonly runtimeProfile: RuntimeProfile;
  readonly isolationClass: IsolationClass;
  readonly vmmBackend?: VmmBackend;
  readonly platform?: Platform;
  readonly verified: boolean;
  readonly capacity: Resources & { readonly gpus: number };
  readonly allocated: Resources & { readonly gpus: number; readonly pods: number };
  readonly gpus: readonly GpuDevice[];
  readonly conditions: readonly NodeCondition[];
  readonly lastHeartbeatAt?: string;
  readonly createdAt: string;
}
