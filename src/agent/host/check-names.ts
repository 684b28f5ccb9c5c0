import type { RuntimeProfile } from '../../api/isolation.js';

/**
 * Every host check name. Names are stable: node conditions, `idyl node check -o json`
 * and report diffs carry them, and docs/host-checks.md lists exactly these.
 */
export const CHECK = {
  platform: 'host.platform',
  dockerEngine: 'docker.engine',
  dockerRunc: 'docker.runtime.runc',
  containerdEngine: 'containerd.engine',
  containerdTask: 'containerd.plugin.task',
  containerdOverlayfs: 'containerd.plugin.overlayfs',
  containerdDevmapper: 'containerd.plugin.devmapper',
  runcShim: 'containerd.shim.runc',
  runcBinary: 'runc.binary',
  kataShim: 'kata.shim',
  kataConfig: 'kata.config',
  kvmDevice: 'kvm.device',
  kvmVirtualisation: 'kvm.virtualisation',
  kataHypervisor: 'kata.hypervisor',
  kataKernel: 'kata.kernel',
  kataGuestImage: 'kata.guest-image',
} as const;

/** One of the profile check names. */
export type CheckName = (typeof CHECK)[keyof typeof CHECK];

/** The checks each profile runs, in the order they are reported. All must pass for `verified`. */
export const PROFILE_CHECKS: Readonly<Record<RuntimeProfile, readonly CheckName[]>> = {
  docker: [CHECK.platform, CHECK.dockerEngine, CHECK.dockerRunc],
  'containerd-runc': [
    CHECK.platform,
    CHECK.containerdEngine,
    CHECK.containerdTask,
    CHECK.containerdOverlayfs,
    CHECK.runcShim,
    CHECK.runcBinary,
  ],
  'containerd-kata-qemu': [
    CHECK.platform,
    CHECK.containerdEngine,
    CHECK.containerdTask,
    CHECK.kataShim,
    CHECK.kataConfig,
    CHECK.kvmDevice,
    CHECK.kvmVirtualisation,
    CHECK.kataHypervisor,
    CHECK.kataKernel,
    CHECK.kataGuestImage,
  ],
  'containerd-kata-firecracker': [
    CHECK.platform,
    CHECK.containerdEngine,
    CHECK.containerdTask,
    CHECK.kataShim,
    CHECK.kataConfig,
    CHECK.kvmDevice,
    CHECK.kvmVirtualisation,
    CHECK.kataHypervisor,
    CHECK.kataKernel,
    CHECK.kataGuestImage,
    CHECK.containerdDevmapper,
  ],
};

/**
 * GPU check names. They are reported beside the profile's checks but never decide
 * `verified` (field case 14). Per-device names carry the PCI address.
 */
export const GPU_CHECK = {
  nvidiaSmi: 'gpu.nvidia-smi',
  /** A GPU that is not offered because of its driver binding. */
  driver: (pciAddress: string) => `gpu.driver[${pciAddress}]`,
  /** A GPU reported by PCI ids only: the agent cannot name its model. */
  model: (pciAddress: string) => `gpu.model[${pciAddress}]`,
} as const;

/** True when `name` is a GPU check (`gpu.*`), which does not decide `verified`. */
export function isGpuCheck(name: string): boolean {
  return name.startsWith('gpu.');
}
