import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them (camelCase here, snake_case in the database through
 * CamelCasePlugin). JSON travels as text and booleans as 0/1 so that SQLite and
 * PostgreSQL share one shape.
 */
export interface Database {
  accounts: { id: string; name: string; root: number; createdAt: string };
  identities: { id: string; accountId: string; name: string; createdAt: string };
  tokens: {
    id: string;
    accountId: string;
    identityId: string | null;
    nodeId: string | null;
    kind: string;
    name: string;
    secretHash: string;
    createdAt: string;
    expiresAt: string | null;
    revokedAt: string | null;
    lastUsedAt: string | null;
  };
  subnets: {
    id: string;
    slug: string;
    name: string | null;
    region: string;
    accountId: string;
    runtimePolicy: string | null;
    developerMode: string;
    providerMode: string;
    createdAt: string;
    updatedAt: string;
  };
  admissionEntries: { subnetId: string; type: string; subjectKind: string; subjectId: string; state: string; at: string };
  approvals: { accountId: string; subnetId: string; at: string };
  fleets: { id: string; accountId: string; name: string; createdAt: string };
  nodes: {
    id: string;
    name: string;
    accountId: string;
    fleetId: string | null;
    subnetId: string;
    runtimeProfile: string;
    report: string | null;
    connected: number;
    lastHeartbeatAt: string | null;
    conditions: string;
    createdAt: string;
    updatedAt: string;
    version: number;
  };
  workloads: {
    id: string;
    accountId: string;
    namespace: string;
    kind: string;
    name: string;
    subnetId: string;
    ownerId: string | null;
    spec: string;
    labels: string | null;
    annotations: string | null;
    isolationClass: string;
    isolationSource: string;
    phase: string;
    status: string;
    nodeId: string | null;
    attempt: number;
    cpuMillis: number;
    memoryBytes: number;
    gpuIds: string | null;
    resourceVersion: number;
    createdAt: string;
    updatedAt: string;
    deletedAt: string | null;
  };
  events: {
    revision: Generated<number>;
    at: string;
    type: string;
    accountId: string | null;
    peerAccountId: string | null;
    subjectKind: string;
    subjectId: string;
    subjectName: string | null;
    subnetId: string | null;
    nodeId: string | null;
    message: string;
    data: string | null;
  };
}
