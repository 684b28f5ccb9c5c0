import type { AdmissionMode, AdmissionType, RuntimePolicy } from '../../api/subnet.js';
import type { CapabilityReport, NodeCondition } from '../../api/node.js';
import type { FrozenIsolation, Phase, WorkloadStatus } from '../../api/workload.js';
import type { RuntimeProfile } from '../../api/isolation.js';
import type { WorkloadKind } from '../../api/schemas/workload.js';

/** Records as the store keeps them: plain, readonly, camelCase. */

export interface AccountRow {
  readonly id: string;
  readonly name: string;
  readonly root: boolean;
  readonly createdAt: string;
}

export interface IdentityRow {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface TokenRow {
  readonly id: string;
  readonly accountId: string;
  /** The identity a PAT acts as; absent for node credentials. */
  readonly identityId?: string;
  /** The node a node credential belongs to. */
  readonly nodeId?: string;
  readonly kind: 'pat' | 'node';
  readonly name: string;
  /** SHA-256 of the secret; the secret itself is never stored. */
  readonly secretHash: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly lastUsedAt?: string;
}

export interface SubnetRow {
  readonly id: string;
  readonly slug: string;
  readonly name?: string;
  readonly region: string;
  readonly accountId: string;
  readonly runtimePolicy?: RuntimePolicy;
  readonly developerMode: AdmissionMode;
  readonly providerMode: AdmissionMode;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AdmissionRow {
  readonly subnetId: string;
  readonly type: AdmissionType;
  readonly subjectKind: 'account' | 'fleet' | 'node';
  readonly subjectId: string;
  readonly state: 'granted' | 'requested';
  readonly at: string;
}

export interface ApprovalRow {
  readonly accountId: string;
  readonly subnetId: string;
  readonly at: string;
}

export interface FleetRow {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface NodeRow {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly fleetId?: string;
  readonly subnetId: string;
  readonly runtimeProfile: RuntimeProfile;
  /** The last capability report; undefined when none or when it could not be read (fail closed). */
  readonly report?: CapabilityReport;
  readonly connected: boolean;
  readonly lastHeartbeatAt?: string;
  readonly conditions: readonly NodeCondition[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Bumped on every change that can alter placement (optimistic check for plans). */
  readonly version: number;
}

export interface WorkloadRow {
  readonly id: string;
  readonly accountId: string;
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly subnetId: string;
  readonly ownerId?: string;
  /** The kind's spec as submitted (validated). */
  readonly spec: unknown;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly isolation: FrozenIsolation;
  readonly phase: Phase;
  readonly status: WorkloadStatus;
  /** The node a pod is bound to. */
  readonly nodeId?: string;
  /** Increases each time a pod is placed anew. */
  readonly attempt: number;
  /** What the scheduler counts (request, defaults applied); pods only. */
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly gpuIds?: readonly string[];
  readonly resourceVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set when deletion was asked; the row goes once the node confirms removal. */
  readonly deletedAt?: string;
}

/** What a caller gives to append an event; the store assigns revision and time. */
export interface EventInsert {
  readonly type: string;
  readonly accountId?: string;
  /** A second account that sees the event (e.g. the subnet owner of a node event). */
  readonly peerAccountId?: string;
  readonly subjectKind: string;
  readonly subjectId: string;
  readonly subjectName?: string;
  readonly subnetId?: string;
  readonly nodeId?: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}
