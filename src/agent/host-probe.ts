import { IdylError } from '../api/errors.js';
import type { RuntimeProfile } from '../api/isolation.js';
import type { CapabilityReport, HostCheck, Resources } from '../api/node.js';
import { buildCapabilityReport } from './host/capability-report.js';
import { LiveHostView, type AskContainerd } from './host/live-host-view.js';
import type { HostView } from './host/host-view.js';

/** How a node reaches its host's daemons. */
export interface HostAccess {
  readonly dockerSocket?: string;
  readonly containerdSocket?: string;
}

/** The live host, with containerd asked through the containerd driver's own client. */
export async function liveHost(access: HostAccess): Promise<HostView> {
  const { askContainerd } = (await import('./runtime/containerd/facts.js')) as { askContainerd: AskContainerd };
  return new LiveHostView({
    askContainerd,
    ...(access.dockerSocket ? { dockerSocket: access.dockerSocket } : {}),
    ...(access.containerdSocket ? { containerdSocket: access.containerdSocket } : {}),
  });
}

/** One probe of the host for a profile: the report and every check behind it. */
export async function probeHost(view: HostView, profile: RuntimeProfile | string, declared: { microvmGPU: boolean; overhead?: Resources }): Promise<{ report: CapabilityReport; checks: readonly HostCheck[] }> {
  const r = await buildCapabilityReport(view, profile, { microvmGPU: declared.microvmGPU, ...(declared.overhead ? { overhead: declared.overhead } : {}) });
  if (!r.ok) throw r.error;
  return r.value;
}

/** Refuses a join (or start) when a check of the profile failed, naming every one (isolation.md section 6). */
export function requireVerified(profile: string, report: CapabilityReport, checks: readonly HostCheck[]): void {
  if (report.verified) return;
  const failed = checks.filter((c) => !c.ok && !c.name.startsWith('gpu.'));
  throw new IdylError('validation_failed', `this host cannot serve ${profile}: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`, {
    field: 'runtimeProfile',
    failed: failed.map((c) => c.name),
    hint: `idyl node check --runtime-profile ${profile} lists every check`,
  });
}
