import type { IsolationClass, VmmBackend } from '../../api/isolation.js';
import type { ObservedIsolation } from '../../api/workload.js';
import type { HostView } from '../host/host-view.js';
import type { ContainerInfo, RuntimeDriver } from '../runtime/driver.js';

/** The verdict of post-launch verification. */
export type Verification = { readonly ok: true; readonly observed: ObservedIsolation } | { readonly ok: false; readonly evidence: string };

/** Hypervisor programs Kata starts, by backend. */
const HYPERVISORS: Record<VmmBackend, RegExp> = {
  qemu: /(^|\/)qemu-system-[a-z0-9_]+$|(^|\/)qemu-kvm$/,
  firecracker: /(^|\/)firecracker$|(^|\/)jailer$/,
};

/**
 * Checks how a started workload really runs (isolation.md section 7).
 * `microvm`: a hypervisor process of the expected backend whose command line names
 * the container's sandbox must exist, and the kernel inside must not be the host's.
 * `container`: the engine must have recorded the runtime that was asked for.
 * Evidence is collected for people either way.
 */
export async function verifyIsolation(
  driver: RuntimeDriver,
  host: HostView,
  container: ContainerInfo,
  expected: { readonly class: IsolationClass; readonly runtime: string; readonly vmmBackend?: VmmBackend },
  now: () => Date = () => new Date(),
): Promise<Verification> {
  if (container.runtime !== expected.runtime) {
    return { ok: false, evidence: `the engine recorded runtime "${container.runtime || '(none)'}", not ${expected.runtime}` };
  }
  const hostKernel = (await host.basics()).kernel;
  if (expected.class === 'container') {
    return { ok: true, observed: { class: 'container', runtime: container.runtime, evidence: `${container.runtime} container${container.pid ? ` pid ${container.pid}` : ''} on the host kernel ${hostKernel}`, verifiedAt: now().toISOString() } };
  }
  const backend = expected.vmmBackend;
  if (!backend) return { ok: false, evidence: 'a microvm workload without a VMM backend' };
  const hypervisor = await findHypervisor(host, backend, container.id);
  let guestKernel: string | undefined;
  try {
    const r = await driver.exec(container.id, ['uname', '-r'], 10_000);
    if (r.exitCode === 0) guestKernel = r.stdout.trim();
  } catch {
    guestKernel = undefined;
  }
  const problems: string[] = [];
  if (!hypervisor) problems.push(`no ${backend} hypervisor process names sandbox ${container.id}`);
  if (guestKernel === undefined) problems.push('the kernel inside could not be read');
  else if (guestKernel === hostKernel) problems.push(`the workload runs on the host kernel ${hostKernel}`);
  if (problems.length) return { ok: false, evidence: problems.join('; ') };
  return {
    ok: true,
    observed: {
      class: 'microvm',
      runtime: container.runtime,
      vmmBackend: backend,
      evidence: `hypervisor pid ${hypervisor?.pid} (${hypervisor?.exe}); guest kernel ${guestKernel} != host ${hostKernel}`,
      verifiedAt: now().toISOString(),
    },
  };
}

/** A process of the backend's hypervisor whose command line names the sandbox. */
async function findHypervisor(host: HostView, backend: VmmBackend, sandboxId: string): Promise<{ pid: number; exe: string } | undefined> {
  for (const entry of await host.list('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await host.readFile(`/proc/${entry}/cmdline`);
    if (!cmdline) continue;
    const argv = cmdline.split('\0').filter(Boolean);
    const exe = argv[0] ?? '';
    if (HYPERVISORS[backend].test(exe) && argv.some((a) => a.includes(sandboxId))) return { pid: Number(entry), exe };
  }
  return undefined;
}
