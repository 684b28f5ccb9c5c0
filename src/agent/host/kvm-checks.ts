import type { HostCheck } from '../../api/node.js';
import { CHECK } from './check-names.js';
import type { HostBasics, HostView } from './host-view.js';

/** The KVM device every Kata backend needs. */
export const KVM_DEVICE = '/dev/kvm';

/**
 * `kvm.device` and `kvm.virtualisation` (field case 15): `/dev/kvm` exists and this
 * process may open it read/write, and the CPU offers hardware virtualisation to this
 * host (vmx or svm on amd64; on arm64 the kernel exposes it only through /dev/kvm).
 */
export async function kvmChecks(view: HostView, basics: HostBasics): Promise<HostCheck[]> {
  const present = await view.exists(KVM_DEVICE);
  const readWrite = present && (await view.canReadWrite(KVM_DEVICE));
  const who = basics.uid === undefined ? 'this agent' : `uid ${basics.uid}`;
  const device: HostCheck = !present
    ? { name: CHECK.kvmDevice, ok: false, detail: `${KVM_DEVICE}: not found (KVM module not loaded, or no hardware virtualisation)` }
    : !readWrite
      ? { name: CHECK.kvmDevice, ok: false, detail: `${KVM_DEVICE}: present but not read/write for ${who}` }
      : { name: CHECK.kvmDevice, ok: true, detail: `${KVM_DEVICE}: present and read/write for ${who}` };
  return [device, await virtualisationCheck(view, basics, present)];
}

async function virtualisationCheck(view: HostView, basics: HostBasics, kvmPresent: boolean): Promise<HostCheck> {
  const name = CHECK.kvmVirtualisation;
  if (basics.arch === 'arm64') {
    return kvmPresent
      ? { name, ok: true, detail: `arm64: the kernel offers virtualisation through ${KVM_DEVICE}` }
      : { name, ok: false, detail: `arm64: no ${KVM_DEVICE}, so the kernel offers no virtualisation` };
  }
  const cpuinfo = await view.readFile('/proc/cpuinfo');
  if (cpuinfo === undefined) return { name, ok: false, detail: '/proc/cpuinfo: unreadable, cannot tell whether the CPU offers virtualisation' };
  const flags = new Set(
    cpuinfo
      .split('\n')
      .filter((l) => /^flags\s*:/.test(l))
      .flatMap((l) => l.slice(l.indexOf(':') + 1).trim().split(/\s+/)),
  );
  if (flags.has('vmx')) return { name, ok: true, detail: 'CPU offers vmx (Intel VT-x)' };
  if (flags.has('svm')) return { name, ok: true, detail: 'CPU offers svm (AMD-V)' };
  const why = flags.has('hypervisor')
    ? 'nested virtualisation off (this host is itself a virtual machine whose hypervisor does not pass VT-x/AMD-V through)'
    : 'hardware virtualisation off (enable VT-x/AMD-V in the firmware)';
  return { name, ok: false, detail: `CPU flags have neither vmx nor svm: ${why}` };
}
