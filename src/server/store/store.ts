import type { EventRecord } from '../../api/event.js';
import type {
  AccountRow,
  AdmissionRow,
  ApprovalRow,
  EventInsert,
  FleetRow,
  IdentityRow,
  NodeRow,
  SubnetRow,
  TokenRow,
  WorkloadRow,
} from './rows.js';

/**
 * The control plane's state, behind an interface idyl defines (style.md rule 4).
 * One implementation over Kysely serves SQLite and PostgreSQL; every method lists a
 * call the services really make.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Reads (and single-statement writes) outside a transaction. */
  readonly read: Repos;
  /**
   * Inserts a workload and appends its events in one transaction, unless a live workload
   * of the same account, namespace, kind and name exists; resolves once durable. The
   * write every pod creation makes: on SQLite the background thread runs it, so never
   * call it inside a transaction (the transaction holds the write lock it would wait for).
   */
  insertWorkload(row: WorkloadRow, events: readonly EventInsert[]): Promise<{ inserted: boolean }>;
  /** Whether this process holds the scheduling lease (one planner across replicas). */
  isLeader(): Promise<boolean>;
  /** Called after every commit that appended events, with the last revision. */
  onCommit(listener: (revision: number) => void): void;
  close(): Promise<void>;
}

export interface Repos {
  readonly accounts: AccountsRepo;
  readonly identities: IdentitiesRepo;
  readonly tokens: TokensRepo;
  readonly subnets: SubnetsRepo;
  readonly admission: AdmissionRepo;
  readonly approvals: ApprovalsRepo;
  readonly fleets: FleetsRepo;
  readonly nodes: NodesRepo;
  readonly workloads: WorkloadsRepo;
  readonly events: EventsRepo;
}

/** A unique constraint refused the write (name taken): the services turn it into `conflict`. */
export class UniqueViolation extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what} already exists`, { cause });
    this.name = 'UniqueViolation';
  }
}

export interface AccountsRepo {
  insert(row: AccountRow): Promise<void>;
  get(id: string): Promise<AccountRow | undefined>;
  list(): Promise<AccountRow[]>;
  count(): Promise<number>;
}

export interface IdentitiesRepo {
  insert(row: IdentityRow): Promise<void>;
  get(id: string): Promise<IdentityRow | undefined>;
  firstOfAccount(accountId: string): Promise<IdentityRow | undefined>;
}

export interface TokensRepo {
  insert(row: TokenRow): Promise<void>;
  findByHash(secretHash: string): Promise<TokenRow | undefined>;
  get(id: string): Promise<TokenRow | undefined>;
  listByAccount(accountId: string, kind: TokenRow['kind']): Promise<TokenRow[]>;
  revoke(id: string, at: string): Promise<boolean>;
  revokeForNode(nodeId: string, at: string): Promise<number>;
  touch(id: string, at: string): Promise<void>;
}

export interface SubnetsRepo {
  insert(row: SubnetRow): Promise<void>;
  get(id: string): Promise<SubnetRow | undefined>;
  /** By slug or bound name. */
  find(ref: string): Promise<SubnetRow | undefined>;
  listByAccount(accountId: string): Promise<SubnetRow[]>;
  listAll(): Promise<SubnetRow[]>;
  update(
    id: string,
    fields: { runtimePolicy?: SubnetRow['runtimePolicy'] | null; developerMode?: SubnetRow['developerMode']; providerMode?: SubnetRow['providerMode']; updatedAt?: string },
  ): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface AdmissionRepo {
  list(subnetId: string): Promise<AdmissionRow[]>;
  get(subnetId: string, type: AdmissionRow['type'], subjectKind: AdmissionRow['subjectKind'], subjectId: string): Promise<AdmissionRow | undefined>;
  put(row: AdmissionRow): Promise<void>;
  delete(subnetId: string, type: AdmissionRow['type'], subjectKind: AdmissionRow['subjectKind'], subjectId: string): Promise<boolean>;
}

export interface ApprovalsRepo {
  put(row: ApprovalRow): Promise<void>;
  delete(accountId: string, subnetId: string): Promise<boolean>;
  has(accountId: string, subnetId: string): Promise<boolean>;
  listByAccount(accountId: string): Promise<ApprovalRow[]>;
}

export interface FleetsRepo {
  insert(row: FleetRow): Promise<void>;
  get(id: string): Promise<FleetRow | undefined>;
  listByAccount(accountId: string): Promise<FleetRow[]>;
  rename(id: string, name: string): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface NodeFilter {
  readonly subnetId?: string;
  readonly subnetIds?: readonly string[];
  readonly accountId?: string;
  readonly fleetId?: string;
  readonly connected?: boolean;
}

export interface NodesRepo {
  insert(row: NodeRow): Promise<void>;
  get(id: string): Promise<NodeRow | undefined>;
  /** The node's `version` alone (the planner's check that its snapshot still holds), without reading its report. */
  versionOf(id: string): Promise<number | undefined>;
  list(filter?: NodeFilter): Promise<NodeRow[]>;
  /**
   * Updates the given fields and bumps `version`. With `expectVersion`, only when the
   * stored version still matches; returns false otherwise.
   */
  update(id: string, fields: Partial<Omit<NodeRow, 'id' | 'version'>>, expectVersion?: number): Promise<boolean>;
  /** Records a heartbeat (does not bump `version`); returns whether the node was connected before. */
  heartbeat(id: string, at: string): Promise<{ wasConnected: boolean } | undefined>;
  /** Marks connected nodes whose last heartbeat is older than `before` as disconnected; returns them. */
  disconnectStale(before: string, at: string): Promise<NodeRow[]>;
  delete(id: string): Promise<void>;
}

export interface WorkloadFilter {
  readonly accountId?: string;
  readonly namespace?: string;
  readonly kind?: WorkloadRow['kind'];
  readonly subnetId?: string;
  readonly nodeId?: string;
  readonly ownerId?: string;
  readonly phases?: readonly WorkloadRow['phase'][];
  /** Default false: rows being deleted are hidden. */
  readonly includeDeleting?: boolean;
  /** Only pods not bound to a node. */
  readonly unbound?: boolean;
  /** Only rows after this one in the list's order (created, then id): the next page. */
  readonly after?: { readonly createdAt: string; readonly id: string };
  readonly limit?: number;
}

/** What the pods bound to one node hold (requests; microVM overhead is added by who knows the node). */
export interface NodeAllocationSums {
  cpuMillis: number;
  memoryBytes: number;
  gpuIds: string[];
  pods: number;
  /** Pods of class microvm (each costs the node its VM overhead too). */
  microvmPods: number;
  byOwner: Map<string, number>;
}

export interface WorkloadsRepo {
  insert(row: WorkloadRow): Promise<void>;
  get(id: string): Promise<WorkloadRow | undefined>;
  getByName(accountId: string, namespace: string, kind: WorkloadRow['kind'], name: string): Promise<WorkloadRow | undefined>;
  list(filter: WorkloadFilter): Promise<WorkloadRow[]>;
  /**
   * Updates the given fields and bumps `resourceVersion`. With `expectVersion`, only
   * when the stored version still matches; returns false otherwise.
   */
  update(id: string, fields: Partial<Omit<WorkloadRow, 'id' | 'resourceVersion'>>, expectVersion?: number): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** CPU, memory and GPU ids held by pods bound to each node (deleting ones included until removed). */
  allocations(nodeIds?: readonly string[]): Promise<Map<string, NodeAllocationSums>>;
}

export interface EventFilter {
  /** Events of this account (as owner or peer). */
  readonly accountId?: string;
  readonly nodeId?: string;
  readonly subjectId?: string;
  readonly type?: string;
  /** Only events of these types. */
  readonly types?: readonly string[];
}

export interface EventsRepo {
  /** Takes the event-log lock now (inside a transaction: serialises with other writers until commit). */
  lock(): Promise<void>;
  /** Appends one event; returns its revision. */
  append(event: EventInsert): Promise<number>;
  /** Events after `since`, oldest first. */
  listSince(filter: EventFilter, since: number, limit: number): Promise<EventRecord[]>;
  /** The newest events matching, newest last. */
  latest(filter: EventFilter, limit: number): Promise<EventRecord[]>;
  latestRevision(): Promise<number>;
}
