import type { ImageConfig } from './oci-image.js';

/** One OCI runtime-spec mount. */
export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

/** The process a container (or an exec) runs, in OCI runtime-spec shape. */
export interface OciProcess {
  readonly terminal: boolean;
  readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids?: readonly number[] };
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly capabilities: Readonly<Record<'bounding' | 'effective' | 'permitted', readonly string[]>>;
  readonly rlimits: ReadonlyArray<{ readonly type: string; readonly hard: number; readonly soft: number }>;
  readonly noNewPrivileges: boolean;
}

/** The subset of the OCI runtime spec idyl generates. */
export interface OciRuntimeSpec {
  readonly ociVersion: string;
  readonly process: OciProcess;
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  readonly linux: {
    readonly cgroupsPath: string;
    readonly namespaces: ReadonlyArray<{ readonly type: string; readonly path?: string }>;
    readonly resources: {
      readonly devices: ReadonlyArray<{ readonly allow: boolean; readonly access: string }>;
      readonly cpu?: { readonly quota: number; readonly period: number };
      readonly memory?: { readonly limit: number };
    };
    readonly maskedPaths: readonly string[];
    readonly readonlyPaths: readonly string[];
  };
}

/** Everything the spec depends on. */
export interface SpecInput {
  readonly id: string;
  readonly hostname: string;
  readonly image: ImageConfig;
  /** Replaces the image's Entrypoint (and drops its Cmd unless `args` is given). */
  readonly command?: readonly string[];
  /** Replaces the image's Cmd. */
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids?: readonly number[] };
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
  /** cgroup parent, e.g. `/idyl`; the container's cgroup is `<parent>/<id>`. */
  readonly cgroupParent: string;
  /** A prepared network namespace to join; absent = a fresh one with only loopback. */
  readonly netnsPath?: string;
  /** Mounts added after the defaults (e.g. resolv.conf for networked containers). */
  readonly extraMounts?: readonly OciMount[];
}

/** The capabilities a container process gets: the usual container default set. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
const CPU_PERIOD = 100_000;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The argv a container runs, combined as Docker does: `command` replaces the image's
 * Entrypoint and then only `args` follow it; without `command` the image's Entrypoint
 * is followed by `args` when given, else by the image's Cmd. May be empty (the caller
 * refuses that).
 */
export function processArgs(image: ImageConfig, command?: readonly string[], args?: readonly string[]): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  return [...image.entrypoint, ...(args && args.length > 0 ? args : image.cmd)];
}

/** The image's environment with `env` laid over it (same key wins from `env`), PATH defaulted. */
export function mergeEnv(imageEnv: readonly string[], env: Readonly<Record<string, string>>): string[] {
  const merged = new Map<string, string>();
  for (const entry of imageEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) merged.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [key, value] of Object.entries(env)) merged.set(key, value);
  if (!merged.has('PATH')) merged.set('PATH', DEFAULT_PATH);
  return [...merged].map(([k, v]) => `${k}=${v}`);
}

/** The default filesystem a Linux container sees besides its rootfs. */
export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

/** The process part of a spec; exec reuses it with other args. */
export function buildProcess(input: SpecInput, args: readonly string[]): OciProcess {
  return {
    terminal: false,
    user: input.user,
    args,
    env: mergeEnv(input.image.env, input.env),
    cwd: input.image.workingDir || '/',
    capabilities: { bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES },
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
    noNewPrivileges: true,
  };
}

/**
 * The OCI runtime spec for one container: its own pid, ipc, uts, mount and network
 * namespaces (a fresh network namespace has only loopback), the default mounts,
 * capability set, masked and read-only paths, an rlimit on open files, a cgroup under
 * `cgroupParent`, and CPU quota and memory limit when given. Pure.
 */
export function buildRuntimeSpec(input: SpecInput, args: readonly string[]): OciRuntimeSpec {
  const resources: OciRuntimeSpec['linux']['resources'] = {
    devices: [{ allow: false, access: 'rwm' }],
    ...(input.cpuMillis !== undefined && input.cpuMillis > 0
      ? { cpu: { quota: Math.max(1000, Math.round((input.cpuMillis * CPU_PERIOD) / 1000)), period: CPU_PERIOD } }
      : {}),
    ...(input.memoryBytes !== undefined && input.memoryBytes > 0 ? { memory: { limit: input.memoryBytes } } : {}),
  };
  return {
    ociVersion: '1.0.2',
    process: buildProcess(input, args),
    root: { path: 'rootfs', readonly: false },
    hostname: input.hostname,
    mounts: [...defaultMounts(), ...(input.extraMounts ?? [])],
    linux: {
      cgroupsPath: `${input.cgroupParent.replace(/\/+$/, '')}/${input.id}`,
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        input.netnsPath ? { type: 'network', path: input.netnsPath } : { type: 'network' },
      ],
      resources,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
