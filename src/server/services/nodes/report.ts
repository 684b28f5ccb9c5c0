import { IdylError } from '../../../api/errors.js';
import { isPlatform, isRuntimeProfile, PLATFORMS, PROFILE_TABLE, RUNTIME_PROFILES, type RuntimeProfile } from '../../../api/isolation.js';
import type { CapabilityReport, NodeCondition } from '../../../api/node.js';

/**
 * Checks a capability report beyond its schema: a known profile, platform and
 * engine that fit together. Returns it typed, or refuses naming the field.
 */
export function checkReport(raw: unknown, field = 'report'): CapabilityReport {
  const r = raw as CapabilityReport & { runtimeProfile: string; platform: string };
  if (!isRuntimeProfile(r.runtimeProfile)) {
    throw new IdylError('validation_failed', `${field}.runtimeProfile: "${r.runtimeProfile}" is not a runtime profile`, { field: `${field}.runtimeProfile`, allowed: [...RUNTIME_PROFILES] });
  }
  if (!isPlatform(r.platform)) throw new IdylError('validation_failed', `${field}.platform: "${r.platform}" is not a platform`, { field: `${field}.platform`, allowed: [...PLATFORMS] });
  const engine = PROFILE_TABLE[r.runtimeProfile].engine;
  if (r.engine.name !== engine) throw new IdylError('validation_failed', `${field}.engine.name: profile ${r.runtimeProfile} runs on ${engine}`, { field: `${field}.engine.name` });
  const ids = new Set<string>();
  for (const [i, g] of r.gpus.entries()) {
    if (ids.has(g.id)) throw new IdylError('validation_failed', `${field}.gpus[${i}].id: GPU ${g.id} is reported twice (a GPU has one mode)`, { field: `${field}.gpus[${i}].id` });
    ids.add(g.id);
  }
  return r;
}

/** True when the report proves the node's own profile on its host. */
export function reportVerified(profile: RuntimeProfile, report: CapabilityReport | undefined): boolean {
  return !!report && report.verified && report.runtimeProfile === profile;
}

/** Node conditions from a report: one per failed check (field case 29), and `Ready`. */
export function conditionsOf(profile: RuntimeProfile, report: CapabilityReport | undefined, previous: readonly NodeCondition[], at: string): NodeCondition[] {
  const since = (type: string, reason: string, status: 'True' | 'False') =>
    previous.find((c) => c.type === type && c.reason === reason && c.status === status)?.since ?? at;
  const out: NodeCondition[] = [];
  if (!report) {
    out.push({ type: 'Ready', status: 'False', reason: 'capability_unverified', message: 'no readable capability report yet', since: since('Ready', 'capability_unverified', 'False') });
    return out;
  }
  for (const c of report.checks.filter((x) => !x.ok)) {
    out.push({ type: 'HostCheckFailed', status: 'True', reason: c.name, message: c.detail, since: since('HostCheckFailed', c.name, 'True') });
  }
  if (report.runtimeProfile !== profile) {
    out.push({ type: 'Ready', status: 'False', reason: 'profile_mismatch', message: `report is for ${report.runtimeProfile}, node joined as ${profile}`, since: since('Ready', 'profile_mismatch', 'False') });
  } else if (!report.verified) {
    const failed = report.checks.filter((x) => !x.ok).map((x) => x.name);
    out.push({ type: 'Ready', status: 'False', reason: 'capability_unverified', message: `host checks failed: ${failed.join(', ') || 'unverified'}`, since: since('Ready', 'capability_unverified', 'False') });
  } else {
    out.push({ type: 'Ready', status: 'True', reason: 'verified', message: `${profile} verified on the host`, since: since('Ready', 'verified', 'True') });
  }
  return out;
}

/**
 * The conditions as shown: a node that is not connected is `Ready` False with reason
 * `node_disconnected` (the placement reason it gets first), whatever its last report
 * said; its other conditions stay as that report left them.
 */
export function shownConditions(conditions: readonly NodeCondition[], connected: boolean, lastHeartbeatAt: string | undefined, createdAt: string): NodeCondition[] {
  if (connected) return [...conditions];
  const ready: NodeCondition = {
    type: 'Ready',
    status: 'False',
    reason: 'node_disconnected',
    message: lastHeartbeatAt ? `no heartbeat since ${lastHeartbeatAt}` : 'its agent has not connected yet (idyl node start)',
    since: lastHeartbeatAt ?? createdAt,
  };
  return [...conditions.filter((c) => c.type !== 'Ready'), ready];
}
