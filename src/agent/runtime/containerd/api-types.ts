/**
 * TypeScript shapes of the containerd messages idyl exchanges, as the protobuf loader
 * renders them (camelCase fields, int64 as number, enums as their names, bytes as
 * Buffer). They mirror proto/containerd/ and nothing more.
 */

/**
 * google.protobuf.Any: a typed payload (containerd puts JSON in `value`). The loader
 * takes Any from protobufjs's bundled descriptor, which keeps the snake_case name: a
 * `typeUrl` key would be dropped silently and containerd would store an untyped spec
 * that `ctr containers info` and other clients cannot read.
 */
export interface AnyMessage {
  readonly type_url: string;
  readonly value: Buffer;
}

/** google.protobuf.Timestamp. */
export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}

/** containerd.types.Mount. */
export interface Mount {
  readonly type: string;
  readonly source: string;
  readonly target?: string;
  readonly options: readonly string[];
}

/** containerd.types.Descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** containerd.services.containers.v1.Container. */
export interface ContainerRecord {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly runtime: { readonly name: string; readonly options?: AnyMessage | null } | null;
  readonly spec: AnyMessage | null;
  readonly snapshotter: string;
  readonly snapshotKey: string;
  readonly createdAt?: Timestamp | null;
  readonly updatedAt?: Timestamp | null;
}

/** containerd.v1.types.Status. */
export type TaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

/** containerd.v1.types.Process. */
export interface TaskProcess {
  readonly containerId: string;
  readonly id: string;
  readonly pid: number;
  readonly status: TaskStatus;
  readonly exitStatus: number;
  readonly exitedAt: Timestamp | null;
}

/** containerd.services.images.v1.Image. */
export interface ImageRecord {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly target: Descriptor | null;
}

/** containerd.services.content.v1.Info. */
export interface ContentInfo {
  readonly digest: string;
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** containerd.services.introspection.v1.Plugin (the fields idyl reads). */
export interface PluginRecord {
  readonly type: string;
  readonly id: string;
  readonly initErr: { readonly code: number; readonly message: string } | null;
}

/** containerd.services.content.v1.WriteContentRequest. */
export interface WriteContentRequest {
  readonly action: 'STAT' | 'WRITE' | 'COMMIT';
  readonly ref?: string;
  readonly total?: number;
  readonly expected?: string;
  readonly offset?: number;
  readonly data?: Buffer;
  readonly labels?: Readonly<Record<string, string>>;
}

/** containerd.services.content.v1.WriteContentResponse. */
export interface WriteContentResponse {
  readonly action: 'STAT' | 'WRITE' | 'COMMIT';
  readonly offset: number;
  readonly total: number;
  readonly digest: string;
}

type Empty = Record<string, never>;
type Rpc<Req, Res> = { readonly req: Req; readonly res: Res };

/**
 * Every unary RPC idyl calls, keyed `service.Method`, with its request and response.
 * The connection resolves the key to containerd's full method path.
 */
export interface UnaryApi {
  'version.Version': Rpc<Empty, { version: string; revision: string }>;
  'introspection.Plugins': Rpc<{ filters?: string[] }, { plugins: PluginRecord[] }>;
  'containers.Get': Rpc<{ id: string }, { container: ContainerRecord }>;
  'containers.List': Rpc<{ filters: string[] }, { containers: ContainerRecord[] }>;
  'containers.Create': Rpc<{ container: Partial<ContainerRecord> & { id: string } }, { container: ContainerRecord }>;
  'containers.Delete': Rpc<{ id: string }, Empty>;
  'content.Info': Rpc<{ digest: string }, { info: ContentInfo }>;
  'content.Update': Rpc<{ info: { digest: string; labels: Record<string, string> }; updateMask: { paths: string[] } }, { info: ContentInfo }>;
  'content.Delete': Rpc<{ digest: string }, Empty>;
  'content.Abort': Rpc<{ ref: string }, Empty>;
  'images.Get': Rpc<{ name: string }, { image: ImageRecord }>;
  'images.List': Rpc<{ filters: string[] }, { images: ImageRecord[] }>;
  'images.Create': Rpc<{ image: ImageRecord }, { image: ImageRecord }>;
  'images.Update': Rpc<{ image: ImageRecord; updateMask?: { paths: string[] } }, { image: ImageRecord }>;
  'images.Delete': Rpc<{ name: string; sync?: boolean }, Empty>;
  'leases.Create': Rpc<{ id: string; labels: Record<string, string> }, { lease: { id: string } }>;
  'leases.Delete': Rpc<{ id: string; sync?: boolean }, Empty>;
  'leases.List': Rpc<{ filters: string[] }, { leases: { id: string; labels: Record<string, string> }[] }>;
  'diff.Apply': Rpc<{ diff: Descriptor; mounts: readonly Mount[] }, { applied: Descriptor }>;
  'snapshots.Prepare': Rpc<
    { snapshotter: string; key: string; parent: string; labels?: Record<string, string> },
    { mounts: Mount[] }
  >;
  'snapshots.View': Rpc<
    { snapshotter: string; key: string; parent: string; labels?: Record<string, string> },
    { mounts: Mount[] }
  >;
  'snapshots.Mounts': Rpc<{ snapshotter: string; key: string }, { mounts: Mount[] }>;
  'snapshots.Commit': Rpc<{ snapshotter: string; name: string; key: string; labels?: Record<string, string> }, Empty>;
  'snapshots.Remove': Rpc<{ snapshotter: string; key: string }, Empty>;
  'snapshots.Stat': Rpc<{ snapshotter: string; key: string }, { info: { name: string; parent: string; kind: string; labels: Record<string, string> } }>;
  'tasks.Create': Rpc<
    { containerId: string; rootfs: readonly Mount[]; stdout: string; stderr: string; terminal: boolean },
    { containerId: string; pid: number }
  >;
  'tasks.Start': Rpc<{ containerId: string; execId?: string }, { pid: number }>;
  'tasks.Delete': Rpc<{ containerId: string }, { exitStatus: number }>;
  'tasks.DeleteProcess': Rpc<{ containerId: string; execId: string }, { exitStatus: number }>;
  'tasks.Get': Rpc<{ containerId: string; execId?: string }, { process: TaskProcess }>;
  'tasks.List': Rpc<{ filter?: string }, { tasks: TaskProcess[] }>;
  'tasks.Kill': Rpc<{ containerId: string; execId?: string; signal: number; all?: boolean }, Empty>;
  'tasks.Exec': Rpc<
    { containerId: string; execId: string; stdout: string; stderr: string; terminal: boolean; spec: AnyMessage },
    Empty
  >;
  'tasks.Wait': Rpc<{ containerId: string; execId?: string }, { exitStatus: number; exitedAt: Timestamp | null }>;
  'namespaces.List': Rpc<{ filter?: string }, { namespaces: { name: string; labels: Record<string, string> }[] }>;
  'namespaces.Delete': Rpc<{ name: string }, Empty>;
}

/** The streaming RPCs idyl calls. */
export interface StreamApi {
  'content.Read': Rpc<{ digest: string; offset?: number; size?: number }, { offset: number; data: Buffer }>;
  'content.Write': Rpc<WriteContentRequest, WriteContentResponse>;
}
