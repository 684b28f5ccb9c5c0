import type { FrozenIsolation, Workload } from './workload.js';
import type { LaunchTarget } from './workload.js';
import type { PodSpec } from './schemas/workload.js';
import type { NodeInfo, Resources } from './node.js';
import type { Subnet } from './subnet.js';

/** Response shapes of the HTTP API that are not resources defined elsewhere. */

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly root: boolean;
  readonly createdAt: string;
}

export interface Whoami {
  readonly accountId: string;
  readonly accountName: string;
  readonly identity: { readonly id: string; readonly name: string; readonly kind: 'user' | 'node' };
  readonly tokenId: string;
  readonly root: boolean;
}

/** A token as listed: never carries the secret. */
export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly lastUsedAt?: string;
}

/** The one response that carries a token secret: the answer to its creation. */
export interface CreatedToken extends TokenInfo {
  readonly token: string;
}

export interface Fleet {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly createdAt: string;
}

export interface Approval {
  readonly subnetSlug: string;
  readonly accountId: string;
  readonly at: string;
}

/** Workloads affected by a policy change, per state (isolation.md section 8). */
export interface PolicyEffects {
  /** Pending workloads that failed with `isolation_class_not_allowed`. */
  readonly pendingFailed: number;
  /** Running workloads that keep running with condition `PolicyNonCompliant`. */
  readonly runningNonCompliant: number;
  /** Workloads the new policy still allows. */
  readonly unaffected: number;
}

export interface SubnetEditResult {
  readonly subnet: Subnet;
  readonly affected: PolicyEffects;
}

export interface ApplyResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly workload: Workload;
}

export interface JoinResult {
  readonly node: NodeInfo;
  /** The node's own credential: shown once, stored by the agent in its state dir. */
  readonly credential: string;
  readonly heartbeatIntervalMs: number;
}

export interface HeartbeatResult {
  readonly state: NodeInfo['state'];
  readonly heartbeatIntervalMs: number;
  readonly revision: number;
}

/** One pod as its node must run it. */
export interface Assignment {
  readonly podId: string;
  readonly name: string;
  readonly namespace: string;
  readonly accountId: string;
  /** Increases each time the pod is placed anew; labels carry it. */
  readonly attempt: number;
  readonly spec: PodSpec;
  readonly isolation: FrozenIsolation;
  readonly target: LaunchTarget;
  /** CPU and memory limits the engine applies (the stated limits, else the requests). */
  readonly limits: Resources;
  /** A hash of what the launch depends on; a change means recreate. */
  readonly specHash: string;
  /** The pod already ended (Succeeded or Failed): keep what is left for its logs, never launch it again. */
  readonly finished?: boolean;
  /**
   * The node already started this attempt (the control plane recorded it running,
   * exited or restarting): a container of it that is gone was lost, not yet to be
   * made; the agent fails it (`never`) or counts a restart, never starts it as new.
   */
  readonly started?: boolean;
  /** Restarts of this attempt the control plane recorded (with `started`). */
  readonly restartCount?: number;
}

/**
 * The trailer of a streamed text answer (logs) whose source broke off after the answer
 * started, e.g. the node's agent went away: the error envelope `{"error": {code,
 * message, details}}` as JSON, URI-encoded. A stream that ended normally has none.
 */
export const STREAM_ERROR_TRAILER = 'idyl-error';

/** Messages on a node's assignment stream (NDJSON). */
export type AssignmentMessage =
  | { readonly type: 'snapshot'; readonly revision: number; readonly assignments: readonly Assignment[] }
  | { readonly type: 'assign'; readonly revision: number; readonly assignment: Assignment }
  | { readonly type: 'unassign'; readonly revision: number; readonly podId: string; readonly attempt: number; readonly reason: string }
  | { readonly type: 'logs'; readonly requestId: string; readonly podId: string; readonly follow: boolean; readonly tail?: number }
  | { readonly type: 'ping'; readonly revision: number };

/**
 * A pod as the provider of its node sees it (`GET /v1/nodes/:node/pods`): what runs on
 * the machine, never the owner's env values or logs unless the owner shares them
 * (`spec.shareWithProvider`).
 */
export interface ProviderPodView {
  readonly id: string;
  readonly name: string;
  /** The account that owns the pod. */
  readonly accountId: string;
  readonly phase: string;
  readonly isolation: FrozenIsolation;
  readonly containers: readonly {
    readonly name?: string;
    readonly image: string;
    /** Present only when the owner shares `env`. */
    readonly env?: readonly { readonly name: string; readonly value: string }[];
  }[];
  /** What the owner shares with the provider. */
  readonly shared: readonly ('logs' | 'env')[];
  readonly createdAt: string;
}

/** A list response. */
export interface List<T> {
  readonly items: readonly T[];
}
