import { PLATFORMS, PROFILE_TABLE, type RuntimeProfile } from '../../api/isolation.js';
import type { CapabilityReport, HostCheck, Resources } from '../../api/node.js';
import { ok, refuse, type Outcome } from '../../api/outcome.js';
import { discoverGpus } from './gpu-discovery.js';
import { hostPlatform, parseRuntimeProfile, runProfileChecks, type HostCheckOptions } from './host-checks.js';
import type { HostView } from './host-view.js';
import { memoizeView } from './memo-view.js';

/** What the provider declared at join, beside the profile. */
export interface CapabilityOptions extends HostCheckOptions {
  /** `--microvm-gpu`: a validated microVM GPU path; only a `containerd-kata-qemu` node may declare it. */
  readonly microvmGPU: boolean;
  /** The node's own microVM overhead; only for microvm profiles. Absent = the backend's default. */
  readonly overhead?: Resources;
}

/** A report and every check behind it (the profile's, then the `gpu.*` ones). */
export interface CapabilityResult {
  readonly report: CapabilityReport;
  readonly checks: readonly HostCheck[];
}

/** The containerd runtimes and the profile whose checks prove each one. */
const CONTAINERD_RUNTIMES: readonly RuntimeProfile[] = ['containerd-runc', 'containerd-kata-qemu', 'containerd-kata-firecracker'];

/**
 * Probes the host for `profile` and builds the capability report the agent sends.
 * `verified` is true only when every check of the profile passed; `gpu.*` checks are
 * in `checks` too but never decide it (field case 14). `runtimes` holds only what the
 * live daemon offers (field case 13): Docker's `/info` list, or for containerd each
 * runtime type whose whole check set passes on this host. Refused (as values): an
 * unknown profile, an unsupported architecture, `microvmGPU` on any profile but
 * `containerd-kata-qemu`, and `overhead` on a container profile.
 */
export async function buildCapabilityReport(view: HostView, profile: string, options: CapabilityOptions): Promise<Outcome<CapabilityResult>> {
  const known = parseRuntimeProfile(profile);
  if (!known.ok) return known;
  const spec = PROFILE_TABLE[known.value];
  if (options.microvmGPU && known.value !== 'containerd-kata-qemu') {
    return refuse('validation_failed', `microvmGPU: only a containerd-kata-qemu node can declare a microVM GPU path, not ${known.value}`, {
      field: 'microvmGPU',
      hint: 'Firecracker has no device passthrough, and container profiles use host-driver GPUs',
    });
  }
  if (options.overhead && spec.isolationClass !== 'microvm') {
    return refuse('validation_failed', `overhead: a microVM overhead applies to microvm profiles only, not ${known.value}`, { field: 'overhead' });
  }
  const probe = memoizeView(view);
  const basics = await probe.basics();
  const platform = hostPlatform(basics);
  if (!platform) {
    return refuse('validation_failed', `platform: architecture ${basics.arch} is not a supported platform`, { field: 'platform', allowed: PLATFORMS });
  }
  const profileChecks = await runProfileChecks(probe, known.value, options);
  const gpu = await discoverGpus(probe);
  const checks = [...profileChecks, ...gpu.checks];
  let engine: CapabilityReport['engine'];
  let runtimes: string[];
  if (spec.engine === 'docker') {
    const docker = await probe.docker();
    engine = { name: 'docker', version: docker.ok ? docker.facts.version : '' };
    runtimes = docker.ok ? [...docker.facts.runtimes] : [];
  } else {
    const containerd = await probe.containerd();
    engine = { name: 'containerd', version: containerd.ok ? containerd.facts.version : '' };
    runtimes = [];
    for (const p of CONTAINERD_RUNTIMES) {
      const proof = p === known.value ? profileChecks : await runProfileChecks(probe, p, options);
      if (proof.every((c) => c.ok)) runtimes.push(PROFILE_TABLE[p].runtime);
    }
  }
  const report: CapabilityReport = {
    runtimeProfile: known.value,
    verified: profileChecks.every((c) => c.ok),
    checks,
    platform,
    kernel: basics.kernel,
    capacity: { cpuMillis: basics.cpuCount * 1000, memoryBytes: basics.memoryBytes },
    engine,
    runtimes,
    gpus: gpu.gpus,
    attributes: { ...(await osAttributes(probe)), kernel: basics.kernel, arch: basics.arch, ...gpu.attributes },
    microvmGPU: options.microvmGPU,
    ...(options.overhead && { overhead: options.overhead }),
  };
  return ok({ report, checks });
}

/** `os` (os-release ID, e.g. `debian`) and `os.version` (VERSION_ID, e.g. `12`), where the host says. */
async function osAttributes(view: HostView): Promise<Record<string, string>> {
  const text = (await view.readFile('/etc/os-release')) ?? (await view.readFile('/usr/lib/os-release')) ?? '';
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(ID|VERSION_ID)=(?:"([^"]*)"|'([^']*)'|(\S*))$/.exec(line.trim());
    if (!m) continue;
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (value) out[m[1] === 'ID' ? 'os' : 'os.version'] = value;
  }
  return out;
}
