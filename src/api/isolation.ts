/**
 * The isolation vocabulary: classes, VMM backends, runtime profiles and the one
 * table that maps a profile to what it serves (isolation.md section 1).
 */

/** The boundary a workload asks for. */
export const ISOLATION_CLASSES = ['container', 'microvm'] as const;
export type IsolationClass = (typeof ISOLATION_CLASSES)[number];

/** The virtual machine monitors behind the microvm profiles. */
export const VMM_BACKENDS = ['qemu', 'firecracker'] as const;
export type VmmBackend = (typeof VMM_BACKENDS)[number];

/** What a provider's node declares and proves on its host. */
export const RUNTIME_PROFILES = [
  'docker',
  'containerd-runc',
  'containerd-kata-qemu',
  'containerd-kata-firecracker',
] as const;
export type RuntimeProfile = (typeof RUNTIME_PROFILES)[number];

/** Platforms a node can report and a workload can ask for. */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Where a workload's frozen class came from. */
export type IsolationSource = 'explicit' | 'subnet-default' | 'platform-default';

/** What one runtime profile serves and how the agent launches it. */
export interface ProfileSpec {
  readonly profile: RuntimeProfile;
  readonly isolationClass: IsolationClass;
  readonly vmmBackend: VmmBackend | undefined;
  /** The engine the agent talks to. */
  readonly engine: 'docker' | 'containerd';
  /** The runtime the agent names on every create; never left to a daemon's default. */
  readonly runtime: string;
}

/** The single source of truth for profile → class/backend/runtime. */
export const PROFILE_TABLE: Readonly<Record<RuntimeProfile, ProfileSpec>> = {
  docker: { profile: 'docker', isolationClass: 'container', vmmBackend: undefined, engine: 'docker', runtime: 'runc' },
  'containerd-runc': {
    profile: 'containerd-runc',
    isolationClass: 'container',
    vmmBackend: undefined,
    engine: 'containerd',
    runtime: 'io.containerd.runc.v2',
  },
  'containerd-kata-qemu': {
    profile: 'containerd-kata-qemu',
    isolationClass: 'microvm',
    vmmBackend: 'qemu',
    engine: 'containerd',
    runtime: 'io.containerd.kata-qemu.v2',
  },
  'containerd-kata-firecracker': {
    profile: 'containerd-kata-firecracker',
    isolationClass: 'microvm',
    vmmBackend: 'firecracker',
    engine: 'containerd',
    runtime: 'io.containerd.kata-fc.v2',
  },
};

/** True when `value` is one of the four runtime profiles. */
export function isRuntimeProfile(value: unknown): value is RuntimeProfile {
  return typeof value === 'string' && (RUNTIME_PROFILES as readonly string[]).includes(value);
}

/** True when `value` is an isolation class. */
export function isIsolationClass(value: unknown): value is IsolationClass {
  return typeof value === 'string' && (ISOLATION_CLASSES as readonly string[]).includes(value);
}

/** True when `value` is a VMM backend. */
export function isVmmBackend(value: unknown): value is VmmBackend {
  return typeof value === 'string' && (VMM_BACKENDS as readonly string[]).includes(value);
}

/** True when `value` is a supported platform. */
export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value);
}

/**
 * Default extra CPU and memory a microVM costs its node beyond the workload's
 * request (isolation.md section 4); nodes may configure their own.
 */
export const DEFAULT_CLASS_OVERHEAD: Readonly<Record<VmmBackend, { readonly cpuMillis: number; readonly memoryBytes: number }>> = {
  qemu: { cpuMillis: 250, memoryBytes: 160 * 1024 * 1024 },
  firecracker: { cpuMillis: 250, memoryBytes: 130 * 1024 * 1024 },
};
