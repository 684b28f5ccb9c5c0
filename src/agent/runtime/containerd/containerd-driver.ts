import { randomBytes } from 'node:crypto';
import type {
  ContainerInfo,
  EngineInfo,
  ExecResult,
  ImageRef,
  LaunchSpec,
  LogChunk,
  LogOptions,
  PulledImage,
  PullPolicy,
  RuntimeDriver,
} from '../driver.js';
import { RuntimeError } from '../driver.js';
import type { ContainerRecord, Mount } from './api-types.js';
import { CniNetwork, type CniOptions } from './cni-network.js';
import { containerId } from './container-id.js';
import { labelFilters, matchesSelector, toContainerInfo } from './container-info.js';
import { ContainerdConnection } from './containerd-connection.js';
import { daemonSearchPath } from './facts.js';
import { isAlreadyExists, isNotFound } from './grpc-status.js';
import { hostPlatform } from './host-platform.js';
import { pullImage } from './image-puller.js';
import { imageRecordName, parseImageReference, type ImageReference } from './image-reference.js';
import { ImageStore, type ResolvedImage } from './image-store.js';
import { readLogFiles } from './log-reader.js';
import { buildRuntimeSpec, processArgs, type OciProcess, type OciRuntimeSpec } from './oci-spec.js';
import { oomKilled } from './oom-kills.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { runtimeError, taskCreateReason } from './runtime-errors.js';
import { shimRuntimes } from './shim-runtimes.js';
import { TaskControl } from './task-control.js';
import { TaskFiles } from './task-files.js';
import { resolveUserFor } from './user-cache.js';

/** How a ContainerdDriver reaches containerd and where it keeps its files. */
export interface ContainerdDriverOptions {
  /** containerd's API socket (default `/run/containerd/containerd.sock`). */
  readonly socket?: string;
  /** The containerd namespace for everything idyl makes (default `idyl`). */
  readonly namespace?: string;
  /** Where container logs and exec output live (default `/var/lib/idyl/containerd`). */
  readonly stateDir?: string;
  /** The snapshotter for image layers and container roots (default `overlayfs`). */
  readonly snapshotter?: string;
  /** The cgroup parent of every container (default `/idyl`). */
  readonly cgroupParent?: string;
  /** Bound on every containerd call that does not block by design (default 60 s). */
  readonly callTimeoutMs?: number;
  readonly registry?: RegistryClientOptions;
  readonly network?: CniOptions;
}

const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';

/** What the driver keeps in memory about a container it created, to save round trips. */
interface Prepared {
  readonly mounts: readonly Mount[];
  readonly process: OciProcess;
}

/**
 * The RuntimeDriver for containerd (profiles `containerd-runc`, `containerd-kata-qemu`,
 * `containerd-kata-firecracker`), over containerd's services gRPC API in one
 * namespace. The runtime in each LaunchSpec is recorded on the container and used by
 * containerd to pick the shim; the driver never substitutes another. A start whose
 * runtime cannot run (e.g. a Kata shim that is not installed) fails with
 * `runtime_unavailable` and removes the container, leaving nothing behind; so does
 * any other failed start (`start_failed`).
 *
 * Container ids: a LaunchSpec name containerd accepts is the id; any other name maps
 * to a valid id (see {@link containerId}), and every method accepts either.
 */
export class ContainerdDriver implements RuntimeDriver {
  readonly engine = 'containerd' as const;
  private readonly conn: ContainerdConnection;
  private readonly snapshotter: string;
  private readonly cgroupParent: string;
  private readonly store: ImageStore;
  private readonly registry: RegistryClient;
  private readonly files: TaskFiles;
  private readonly network: CniNetwork;
  private readonly tasks: TaskControl;
  private readonly prepared = new Map<string, Prepared>();
  private readonly pulls = new Map<string, Promise<PulledImage>>();

  constructor(options: ContainerdDriverOptions = {}) {
    const stateDir = options.stateDir ?? '/var/lib/idyl/containerd';
    const namespace = options.namespace ?? 'idyl';
    this.conn = new ContainerdConnection(options.socket ?? '/run/containerd/containerd.sock', namespace, options.callTimeoutMs);
    this.snapshotter = options.snapshotter ?? 'overlayfs';
    this.cgroupParent = options.cgroupParent ?? '/idyl';
    this.store = new ImageStore(this.conn, this.snapshotter, hostPlatform());
    this.registry = new RegistryClient(options.registry);
    this.files = new TaskFiles(stateDir, namespace);
    this.network = new CniNetwork(stateDir, options.network);
    this.tasks = new TaskControl(this.conn, this.files);
  }

  /** The containerd namespace this driver works in. */
  get namespace(): string {
    return this.conn.namespace;
  }

  async info(): Promise<EngineInfo> {
    try {
      const [version, plugins] = await Promise.all([this.conn.call('version.Version', {}), this.conn.call('introspection.Plugins', {})]);
      const taskPlugin = plugins.plugins.find((p) => p.type === 'io.containerd.runtime.v2' && p.id === 'task');
      const dirs = taskPlugin && !taskPlugin.initErr ? await daemonSearchPath(this.conn.socket) : undefined;
      return { engine: 'containerd', version: version.version, runtimes: dirs ? await shimRuntimes(dirs) : [] };
    } catch (err) {
      throw runtimeError('info', this.conn.socket, err);
    }
  }

  pull(image: ImageRef, policy: PullPolicy, onProgress?: (message: string) => void): Promise<PulledImage> {
    const key = `${image.uri}|${image.digest ?? ''}|${policy}`;
    const running = this.pulls.get(key);
    if (running) return running;
    const pulling = this.pullOnce(image, policy, onProgress ?? (() => undefined)).finally(() => this.pulls.delete(key));
    this.pulls.set(key, pulling);
    return pulling;
  }

  private async pullOnce(image: ImageRef, policy: PullPolicy, progress: (message: string) => void): Promise<PulledImage> {
    try {
      const ref = reference(image.uri);
      if (image.digest && ref.digest && image.digest !== ref.digest) {
        throw new Error(`the reference pins ${ref.digest} but imageDigest is ${image.digest}`);
      }
      const name = imageRecordName(ref, image.digest);
      if (policy !== 'always') {
        const local = await this.store.resolveLocal(name);
        if (local) return { digest: local.digest, pulled: false };
        if (policy === 'never') throw new Error(`${name} is not on this node and the pull policy is never`);
      }
      const ctx = {
        conn: this.conn,
        registry: this.registry,
        store: this.store,
        snapshotter: this.snapshotter,
        platform: hostPlatform(),
        imageLabels: { 'idyl.managed': 'true' },
      };
      const pulled = await pullImage(ctx, ref, name, image.digest ?? ref.digest, progress);
      return { digest: pulled.digest, pulled: true };
    } catch (err) {
      throw runtimeError('pull', image.uri, err, 'image_pull_failed');
    }
  }

  async create(spec: LaunchSpec): Promise<ContainerInfo> {
    const id = containerId(spec.name);
    if (!spec.runtime || !spec.runtime.trim()) {
      throw new RuntimeError('create', id, 'create_failed', new Error('no runtime named: idyl never leaves the runtime to the daemon default'));
    }
    if (spec.gpus && spec.gpus.length > 0) {
      throw new RuntimeError('create', id, 'gpu_attach_failed', new Error('the containerd driver cannot attach GPUs yet'));
    }
    const image = await this.imageFor(spec.image).catch((err) => {
      throw runtimeError('create', id, err, 'image_pull_failed');
    });
    const args = processArgs(image.config, spec.command, spec.args);
    if (args.length === 0) throw new RuntimeError('create', id, 'create_failed', new Error('neither the spec nor the image names a command'));
    let networked = false;
    try {
      const user = await resolveUserFor(this.conn, this.snapshotter, image);
      let netnsPath: string | undefined;
      let extraMounts: OciRuntimeSpec['mounts'] = [];
      if (spec.network !== 'none') {
        const attached = await this.network.setup(id, spec.network, this.files.dir(id));
        networked = true;
        netnsPath = attached.netnsPath;
        extraMounts = [{ destination: '/etc/resolv.conf', type: 'bind', source: attached.resolvConf, options: ['rbind', 'ro'] }];
      }
      const oci = buildRuntimeSpec(
        { id, hostname: hostnameOf(id), image: image.config, env: spec.env, user, cgroupParent: this.cgroupParent, ...limits(spec), ...(netnsPath ? { netnsPath } : {}), extraMounts, ...commandOf(spec) },
        args,
      );
      const record = await this.conn.call('containers.Create', {
        container: {
          id,
          labels: { ...spec.labels },
          image: image.name,
          runtime: { name: spec.runtime },
          spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(oci)) },
          snapshotter: this.snapshotter,
          snapshotKey: id,
        },
      });
      const mounts = await this.prepareRootfs(id, image.chainId, spec.labels).catch(async (err) => {
        await this.conn.call('containers.Delete', { id }).catch(() => undefined);
        throw err;
      });
      this.prepared.set(id, { mounts, process: oci.process });
      return toContainerInfo(record.container, undefined);
    } catch (err) {
      if (networked) await this.network.teardown(id, this.files.dir(id)).catch(() => undefined);
      throw runtimeError('create', id, err, 'create_failed');
    }
  }

  async start(name: string): Promise<void> {
    const id = containerId(name);
    try {
      const mounts = this.prepared.get(id)?.mounts ?? (await this.conn.call('snapshots.Mounts', { snapshotter: this.snapshotter, key: id })).mounts;
      const files = await this.files.prepareLogs(id);
      await this.tasks.start(id, mounts, files);
    } catch (err) {
      const reason = taskCreateReason(err);
      if (!isNotFound(err)) await this.remove(id).catch(() => undefined);
      throw runtimeError('start', id, err, reason);
    }
  }

  async inspect(name: string): Promise<ContainerInfo | undefined> {
    const id = containerId(name);
    try {
      const [record, task] = await Promise.all([
        this.conn.call('containers.Get', { id }).then((r) => r.container, (err) => (isNotFound(err) ? undefined : Promise.reject(err))),
        this.tasks.get(id),
      ]);
      if (!record) return undefined;
      const info = toContainerInfo(record, task, await this.files.startedAt(id));
      // The task's cgroup stays until the task is deleted: it tells an OOM kill from any other SIGKILL.
      if (info.state !== 'exited') return info;
      return (await oomKilled(`${this.cgroupParent.replace(/\/+$/, '')}/${id}`)) ? { ...info, oomKilled: true } : info;
    } catch (err) {
      throw runtimeError('inspect', id, err);
    }
  }

  async list(selector: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    try {
      const [{ containers }, { tasks }] = await Promise.all([
        this.conn.call('containers.List', { filters: labelFilters(selector) }),
        this.conn.call('tasks.List', {}),
      ]);
      // containerd names an init process by its container's id (container_id stays empty).
      const byId = new Map(tasks.map((t) => [t.id || t.containerId, t]));
      const chosen = containers.filter((c) => matchesSelector(c.labels, selector));
      return await Promise.all(chosen.map(async (c) => toContainerInfo(c, byId.get(c.id), await this.files.startedAt(c.id))));
    } catch (err) {
      throw runtimeError('list', JSON.stringify(selector), err);
    }
  }

  async *logs(name: string, options: LogOptions): AsyncGenerator<LogChunk> {
    const id = containerId(name);
    let exists: boolean;
    try {
      exists = (await this.conn.call('containers.Get', { id }).then(() => true, (err) => (isNotFound(err) ? false : Promise.reject(err)))) as boolean;
    } catch (err) {
      throw runtimeError('logs', id, err);
    }
    if (!exists) throw new RuntimeError('logs', id, 'start_failed', new Error('no such container'));
    // The wait for the exit ends with the reading: a reader that stops early (the client
    // went away) must not leave it, and its listener on the caller's signal, behind.
    const reading = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, reading.signal]) : reading.signal;
    const exited = options.follow ? this.tasks.waitExit(id, signal).catch(() => undefined) : undefined;
    try {
      yield* readLogFiles(this.files.logs(id), options, exited);
    } finally {
      reading.abort();
    }
  }

  async exec(name: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const id = containerId(name);
    try {
      const process = this.prepared.get(id)?.process ?? (await this.containerSpec(id)).process;
      return await this.tasks.exec(id, process, argv, timeoutMs, randomBytes(6).toString('hex'));
    } catch (err) {
      throw runtimeError('exec', id, err);
    }
  }

  async wait(name: string, signal?: AbortSignal): Promise<number> {
    const id = containerId(name);
    try {
      return await this.tasks.waitExit(id, signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw runtimeError('wait', id, err);
    }
  }

  async stop(name: string, graceMs: number): Promise<void> {
    const id = containerId(name);
    try {
      await this.tasks.stop(id, graceMs);
    } catch (err) {
      throw runtimeError('stop', id, err);
    }
  }

  async remove(name: string): Promise<void> {
    const id = containerId(name);
    try {
      await this.tasks.kill(id);
      await this.tasks.delete(id);
      await ignoreNotFound(this.conn.call('containers.Delete', { id }));
      await ignoreNotFound(this.conn.call('snapshots.Remove', { snapshotter: this.snapshotter, key: id }));
      await this.network.teardown(id, this.files.dir(id));
      await this.files.remove(id);
      this.prepared.delete(id);
    } catch (err) {
      throw runtimeError('remove', id, err);
    }
  }

  async close(): Promise<void> {
    this.conn.close();
  }

  private async imageFor(ref: ImageRef): Promise<ResolvedImage> {
    const name = imageRecordName(reference(ref.uri), ref.digest);
    const image = this.store.cached(name) ?? (await this.store.resolveLocal(name));
    if (!image) throw new Error(`image ${name} is not on this node; pull it first`);
    return image;
  }

  private async prepareRootfs(id: string, parent: string, labels: Readonly<Record<string, string>>): Promise<Mount[]> {
    const request = { snapshotter: this.snapshotter, key: id, parent, labels: { ...labels } };
    try {
      return (await this.conn.call('snapshots.Prepare', request)).mounts;
    } catch (err) {
      // A snapshot left by an earlier attempt under the same name: replace it.
      if (!isAlreadyExists(err)) throw err;
      await this.conn.call('snapshots.Remove', { snapshotter: this.snapshotter, key: id });
      return (await this.conn.call('snapshots.Prepare', request)).mounts;
    }
  }

  private async containerSpec(id: string): Promise<OciRuntimeSpec> {
    const { container } = await this.conn.call('containers.Get', { id });
    return parseSpec(container);
  }
}

function reference(uri: string): ImageReference {
  const parsed = parseImageReference(uri);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ref;
}

function parseSpec(record: ContainerRecord): OciRuntimeSpec {
  if (!record.spec?.value) throw new Error(`container ${record.id} has no runtime spec`);
  return JSON.parse(record.spec.value.toString('utf8')) as OciRuntimeSpec;
}

function limits(spec: LaunchSpec): { cpuMillis?: number; memoryBytes?: number } {
  return {
    ...(spec.cpuMillis !== undefined ? { cpuMillis: spec.cpuMillis } : {}),
    ...(spec.memoryBytes !== undefined ? { memoryBytes: spec.memoryBytes } : {}),
  };
}

function commandOf(spec: LaunchSpec): { command?: readonly string[]; args?: readonly string[] } {
  return { ...(spec.command ? { command: spec.command } : {}), ...(spec.args ? { args: spec.args } : {}) };
}

function hostnameOf(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '') || 'container';
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
