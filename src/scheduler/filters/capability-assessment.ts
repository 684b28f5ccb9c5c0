import type { GpuDevice } from '../../api/gpu.js';
import { PROFILE_TABLE, isPlatform, isRuntimeProfile, type Platform, type ProfileSpec, type RuntimeProfile } from '../../api/isolation.js';
import type { CapabilityReport, Resources } from '../../api/node.js';

/** A report the scheduler can rely on, with the facts it reads. */
export interface TrustedCapability {
  readonly trusted: true;
  readonly profile: ProfileSpec;
  readonly platform: Platform;
  readonly capacity: Resources;
  readonly gpus: readonly GpuDevice[];
  readonly report: CapabilityReport;
}

/** A report (or its absence) the scheduler does not rely on, and why. */
export interface UntrustedCapability {
  readonly trusted: false;
  /** Words for people: what is missing or wrong. */
  readonly problem: string;
}

/**
 * Decides whether a node's stored capability report can be trusted (check 3,
 * `capability_unverified`). Fails closed: no report, an unverified one, an unknown
 * profile, one that contradicts the node's declared profile or itself (a failed
 * check other than a `gpu.*` one in a "verified" report, an engine or runtime the profile does not use),
 * or any malformed field. The report arrives from storage, so every field is
 * checked at run time rather than trusted to its type.
 */
export function assessCapability(report: CapabilityReport | undefined, declaredProfile: string | undefined): TrustedCapability | UntrustedCapability {
  const untrusted = (problem: string): UntrustedCapability => ({ trusted: false, problem });
  if (report === undefined || report === null || typeof report !== 'object') return untrusted('the node has not sent a capability report yet');
  const r = report as Partial<Record<keyof CapabilityReport, unknown>>;
  if (!isRuntimeProfile(r.runtimeProfile)) return untrusted(`the report names an unknown runtime profile ${JSON.stringify(r.runtimeProfile)}`);
  const profile = PROFILE_TABLE[r.runtimeProfile];
  if (declaredProfile !== undefined && declaredProfile !== r.runtimeProfile) {
    return untrusted(`the report says profile ${r.runtimeProfile} but the node joined as ${declaredProfile}`);
  }
  const checks = Array.isArray(r.checks) ? (r.checks as unknown[]) : undefined;
  if (checks === undefined) return untrusted('the report has no host checks');
  const failed = checks.filter((c) => !(c && typeof c === 'object' && (c as { ok?: unknown }).ok === true)).map((c) => checkName(c));
  if (r.verified !== true) {
    return untrusted(failed.length ? `host checks failed: ${failed.join(', ')}` : 'the host checks have not passed');
  }
  // GPU checks (`gpu.*`) never decide `verified` (field case 14): a GPU the node does not
  // offer, or one it cannot name, is no contradiction of a verified report.
  const contradicting = failed.filter((name) => !name.startsWith('gpu.'));
  if (contradicting.length) return untrusted(`the report claims verified but host checks failed: ${contradicting.join(', ')}`);
  if (!isPlatform(r.platform)) return untrusted(`the report names an unknown platform ${JSON.stringify(r.platform)}`);
  if (!isResources(r.capacity)) return untrusted('the report has no valid capacity');
  if (r.overhead !== undefined && !isResources(r.overhead)) return untrusted('the report has an invalid microVM overhead');
  const engine = (r.engine as { name?: unknown } | undefined)?.name;
  if (engine !== profile.engine) return untrusted(`the report's engine ${JSON.stringify(engine)} cannot serve profile ${profile.profile} (needs ${profile.engine})`);
  if (!Array.isArray(r.runtimes) || !r.runtimes.includes(profile.runtime)) {
    return untrusted(`the live daemon does not offer runtime ${profile.runtime}, which profile ${profile.profile} needs`);
  }
  if (r.attributes === null || typeof r.attributes !== 'object' || Array.isArray(r.attributes)) return untrusted('the report has malformed attributes');
  if (typeof r.microvmGPU !== 'boolean') return untrusted('the report does not say whether it has a microVM GPU path');
  const gpuProblem = checkGpus(r.gpus);
  if (gpuProblem) return untrusted(gpuProblem);
  return { trusted: true, profile, platform: r.platform, capacity: r.capacity, gpus: r.gpus as readonly GpuDevice[], report };
}

/** The profile a node claims, trusted or not: to tell which classes a subnet could ever serve. */
export function claimedProfile(report: CapabilityReport | undefined, declaredProfile: string | undefined): RuntimeProfile | undefined {
  const reported = (report as { runtimeProfile?: unknown } | undefined)?.runtimeProfile;
  if (isRuntimeProfile(reported)) return reported;
  return isRuntimeProfile(declaredProfile) ? declaredProfile : undefined;
}

function checkName(check: unknown): string {
  const name = (check as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? name : '(unnamed check)';
}

function isResources(v: unknown): v is Resources {
  if (v === null || typeof v !== 'object') return false;
  const { cpuMillis, memoryBytes } = v as Record<string, unknown>;
  return typeof cpuMillis === 'number' && typeof memoryBytes === 'number' && Number.isFinite(cpuMillis) && Number.isFinite(memoryBytes) && cpuMillis >= 0 && memoryBytes >= 0;
}

function checkGpus(gpus: unknown): string | undefined {
  if (!Array.isArray(gpus)) return 'the report has no GPU list';
  const seen = new Set<string>();
  for (const g of gpus as unknown[]) {
    const d = g as Partial<GpuDevice> | null;
    if (!d || typeof d.id !== 'string' || d.id === '' || (d.mode !== 'host-driver' && d.mode !== 'vfio')) return 'the report lists a malformed GPU';
    // The same device under two entries could be handed out twice, or in both modes.
    if (seen.has(d.id)) return `the report lists GPU ${d.id} twice`;
    seen.add(d.id);
  }
  return undefined;
}
