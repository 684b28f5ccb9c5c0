import type { VmmBackend } from '../../api/isolation.js';
import type { HostCheck } from '../../api/node.js';
import { CHECK } from './check-names.js';
import { binaryOnDaemonPathCheck, containerdPluginCheck } from './containerd-checks.js';
import type { ContainerdFacts, DaemonAnswer, HostBasics, HostView } from './host-view.js';
import { findKataConfig, KATA_BACKEND_CONFIG, type KataConfig } from './kata-config.js';
import { kvmChecks } from './kvm-checks.js';

/** The backend-specific Kata shim containerd starts for each backend's runtime type. */
export const KATA_SHIMS: Readonly<Record<VmmBackend, string>> = {
  qemu: 'containerd-shim-kata-qemu-v2',
  firecracker: 'containerd-shim-kata-fc-v2',
};

/**
 * The checks a Kata profile adds to the containerd base checks: `kata.shim`,
 * `kata.config`, `kvm.device`, `kvm.virtualisation`, `kata.hypervisor`,
 * `kata.kernel`, `kata.guest-image` and, for Firecracker, `containerd.plugin.devmapper`.
 * Every check is always reported; one that depends on a failed check fails with
 * "not checked", so the set of names per profile never changes.
 */
export async function kataChecks(
  view: HostView,
  backend: VmmBackend,
  containerd: DaemonAnswer<ContainerdFacts>,
  basics: HostBasics,
  kataConfigPath?: string,
): Promise<HostCheck[]> {
  // The agent names io.containerd.kata-qemu.v2 / io.containerd.kata-fc.v2 on every create, and
  // containerd resolves exactly that shim: the generic containerd-shim-kata-v2 alone cannot serve it.
  const shim = await binaryOnDaemonPathCheck(view, containerd, CHECK.kataShim, [KATA_SHIMS[backend]], () => '');
  const lookup = await findKataConfig(view, backend, kataConfigPath);
  const configCheck: HostCheck = lookup.ok
    ? { name: CHECK.kataConfig, ok: true, detail: describeConfig(lookup.config) }
    : { name: CHECK.kataConfig, ok: false, detail: lookup.detail };
  const checks = [shim, configCheck, ...(await kvmChecks(view, basics))];
  if (lookup.ok) checks.push(...(await namedFileChecks(view, lookup.config)));
  else {
    const skipped = 'not checked: no usable Kata config (see kata.config)';
    for (const name of [CHECK.kataHypervisor, CHECK.kataKernel, CHECK.kataGuestImage]) checks.push({ name, ok: false, detail: skipped });
  }
  if (backend === 'firecracker') {
    checks.push(
      containerdPluginCheck(
        containerd,
        CHECK.containerdDevmapper,
        'io.containerd.snapshotter.v1',
        'devmapper',
        'block-device snapshotter for Firecracker (devmapper thin pool)',
      ),
    );
  }
  return checks;
}

function describeConfig(config: KataConfig): string {
  const named = [
    config.hypervisor && `hypervisor ${config.hypervisor}`,
    config.kernel && `kernel ${config.kernel}`,
    config.image && `image ${config.image}`,
    config.initrd && `initrd ${config.initrd}`,
  ].filter(Boolean);
  return `kata config ${config.path}: [hypervisor.${KATA_BACKEND_CONFIG[config.backend].section}] names ${named.join(', ') || 'nothing'}`;
}

/** `kata.hypervisor`, `kata.kernel`, `kata.guest-image`: what the config names exists on the host. */
async function namedFileChecks(view: HostView, config: KataConfig): Promise<HostCheck[]> {
  const exists = async (name: string, what: string, path: string | undefined): Promise<HostCheck> => {
    if (!path) return { name, ok: false, detail: `kata config ${config.path} names no ${what}` };
    const found = await view.exists(path);
    return { name, ok: found, detail: `kata config ${config.path} names ${what} ${path}: ${found ? 'present' : 'not found'}` };
  };
  const image = config.image && config.initrd
    ? { name: CHECK.kataGuestImage, ok: false, detail: `kata config ${config.path} names both image ${config.image} and initrd ${config.initrd}; Kata accepts one` }
    : config.initrd
      ? await exists(CHECK.kataGuestImage, 'guest initrd', config.initrd)
      : await exists(CHECK.kataGuestImage, 'guest image', config.image);
  return [
    await exists(CHECK.kataHypervisor, 'hypervisor', config.hypervisor),
    await exists(CHECK.kataKernel, 'guest kernel', config.kernel),
    image,
  ];
}
