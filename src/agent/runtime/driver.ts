import type { GpuDevice } from '../../api/gpu.js';
import type { NodeFailureReason } from '../../api/placement.js';

/**
 * The one interface between the agent and a container engine. It lists only the
 * calls idyl makes; only the implementation folders (docker/, containerd/) import
 * an engine's client library. Benign outcomes (already stopped, already gone) are
 * success; every other failure is a {@link RuntimeError}.
 */
export interface RuntimeDriver {
  /** `docker` or `containerd`. */
  readonly engine: 'docker' | 'containerd';

  /** What the live daemon says about itself: version and the runtimes it can start. */
  info(): Promise<EngineInfo>;

  /** Makes `image` available locally according to `policy`; returns the resolved digest. */
  pull(image: ImageRef, policy: PullPolicy, onProgress?: (message: string) => void): Promise<PulledImage>;

  /** Creates (does not start) a container; the runtime in `spec.runtime` is always named explicitly. */
  create(spec: LaunchSpec): Promise<ContainerInfo>;

  /** Starts a created container. */
  start(id: string): Promise<void>;

  /** The container's current state, or undefined when it does not exist. */
  inspect(id: string): Promise<ContainerInfo | undefined>;

  /** Every container whose labels include all of `selector` (e.g. `{'idyl.managed': 'true'}`). */
  list(selector: Readonly<Record<string, string>>): Promise<ContainerInfo[]>;

  /** The container's output; with `follow` it ends when the container exits or `signal` aborts. */
  logs(id: string, options: LogOptions): AsyncIterable<LogChunk>;

  /** Runs `argv` inside a running container and collects its output (used by post-launch verification). */
  exec(id: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult>;

  /** Resolves with the exit code once the container has exited. */
  wait(id: string, signal?: AbortSignal): Promise<number>;

  /** Stops the container (SIGTERM, then SIGKILL after `graceMs`). Already stopped or gone is success. */
  stop(id: string, graceMs: number): Promise<void>;

  /** Removes the container and what the driver made for it. Already gone is success. */
  remove(id: string): Promise<void>;

  /** Releases connections. */
  close(): Promise<void>;
}

/** The live daemon's self-description. */
export interface EngineInfo {
  readonly engine: 'docker' | 'containerd';
  readonly version: string;
  /** Runtimes the running daemon can start (e.g. `runc`, `io.containerd.runc.v2`). */
  readonly runtimes: readonly string[];
}

/** An image reference as a pod spec gives it. */
export interface ImageRef {
  /** e.g. `127.0.0.1:5000/idyl/busybox:1.35`. */
  readonly uri: string;
  /** Pins the image: `sha256:…`. When set, the pulled image must have exactly this digest. */
  readonly digest?: string;
}

/** `imagePullPolicy` (defaults: `always` for `:latest` or no tag, else `if_not_present`). */
export type PullPolicy = 'always' | 'if_not_present' | 'never';

export interface PulledImage {
  /** The manifest (or index) digest the engine resolved. */
  readonly digest: string;
  /** True when the registry was consulted (false when a local image was used as it was). */
  readonly pulled: boolean;
}

/** Everything a driver needs to create one container for one pod. */
export interface LaunchSpec {
  /** Engine-level name; unique per launch attempt. */
  readonly name: string;
  readonly image: ImageRef;
  /** Replaces the image's entrypoint when set. */
  readonly command?: readonly string[];
  /** Replaces the image's cmd when set. */
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Limits applied by the engine; undefined = none. */
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
  readonly network: 'none' | 'restricted-egress' | 'unrestricted';
  /** The runtime to name on create: never empty (field case 8). */
  readonly runtime: string;
  /** Ownership labels; everything the driver creates carries them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Host GPUs to hand to the container, if any. */
  readonly gpus?: readonly GpuDevice[];
}

/** A container as the engine reports it. */
export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'created' | 'running' | 'exited' | 'unknown';
  readonly exitCode?: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The runtime the engine recorded for the container. */
  readonly runtime: string;
  /** Host pid of the container's init process (or the VM's, for a microVM), when running. */
  readonly pid?: number;
  /** An exited container was killed by the kernel for going over its memory limit (when the engine can tell). */
  readonly oomKilled?: boolean;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LogOptions {
  readonly follow: boolean;
  /** Only the last N lines. */
  readonly tail?: number;
  readonly signal?: AbortSignal;
}

export interface LogChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

/** A driver failure with the operation, the resource and the engine's own cause. */
export class RuntimeError extends Error {
  readonly op: string;
  readonly resource: string;
  /** The node-side reason reported to the control plane. */
  readonly reason: NodeFailureReason;

  constructor(op: string, resource: string, reason: NodeFailureReason, cause: unknown) {
    const causeText = cause instanceof Error ? cause.message : String(cause);
    super(`${op} ${resource}: ${causeText}`, { cause });
    this.name = 'RuntimeError';
    this.op = op;
    this.resource = resource;
    this.reason = reason;
  }
}

/** The labels idyl puts on everything the agent creates (style.md rule 9). */
export const LABELS = {
  managed: 'idyl.managed',
  workload: 'idyl.workload',
  workloadName: 'idyl.workload.name',
  node: 'idyl.node',
  specHash: 'idyl.spec-hash',
  attempt: 'idyl.attempt',
} as const;
