import { isPlatform, isRuntimeProfile, PLATFORMS, PROFILE_TABLE, RUNTIME_PROFILES, type Platform, type RuntimeProfile } from '../../api/isolation.js';
import type { HostCheck } from '../../api/node.js';
import { ok, refuse, type Outcome } from '../../api/outcome.js';
import { CHECK } from './check-names.js';
import { containerdBaseChecks, runcChecks } from './containerd-checks.js';
import { dockerChecks } from './docker-checks.js';
import type { HostBasics, HostView } from './host-view.js';
import { kataChecks } from './kata-checks.js';
import { memoizeView } from './memo-view.js';

/** Choices a provider can make about what is checked. */
export interface HostCheckOptions {
  /** Use exactly this Kata config file instead of searching the default locations. */
  readonly kataConfigPath?: string;
}

/**
 * Runs the host checks for `profile` (isolation.md section 6; names in
 * docs/host-checks.md). An unknown profile is refused with `validation_failed` naming
 * `runtimeProfile` and the four allowed values (field case 11). Otherwise every check
 * of the profile is returned, passed or failed, in a fixed order; the profile is
 * usable only when all passed.
 */
export async function checkHost(view: HostView, profile: string, options: HostCheckOptions = {}): Promise<Outcome<HostCheck[]>> {
  const known = parseRuntimeProfile(profile);
  if (!known.ok) return known;
  return ok(await runProfileChecks(memoizeView(view), known.value, options));
}

/** `value` as a runtime profile, or a `validation_failed` refusal listing the four. */
export function parseRuntimeProfile(value: string): Outcome<RuntimeProfile> {
  if (isRuntimeProfile(value)) return ok(value);
  return refuse('validation_failed', `runtimeProfile: "${value}" is not a runtime profile; use one of ${RUNTIME_PROFILES.join(', ')}`, {
    field: 'runtimeProfile',
    allowed: RUNTIME_PROFILES,
  });
}

/** The checks of a known profile. Callers that probe repeatedly pass a memoized view. */
export async function runProfileChecks(view: HostView, profile: RuntimeProfile, options: HostCheckOptions = {}): Promise<HostCheck[]> {
  const basics = await view.basics();
  const checks: HostCheck[] = [platformCheck(basics)];
  const spec = PROFILE_TABLE[profile];
  if (spec.engine === 'docker') return [...checks, ...dockerChecks(await view.docker())];
  const containerd = await view.containerd();
  checks.push(...containerdBaseChecks(containerd));
  if (spec.vmmBackend === undefined) checks.push(...(await runcChecks(view, containerd)));
  else checks.push(...(await kataChecks(view, spec.vmmBackend, containerd, basics, options.kataConfigPath)));
  return checks;
}

/** The platform this host reports (`linux/<arch>`), or undefined when idyl does not support it. */
export function hostPlatform(basics: HostBasics): Platform | undefined {
  const platform = `linux/${basics.arch}`;
  return isPlatform(platform) ? platform : undefined;
}

function platformCheck(basics: HostBasics): HostCheck {
  const platform = hostPlatform(basics);
  return platform
    ? { name: CHECK.platform, ok: true, detail: `platform ${platform}, kernel ${basics.kernel}` }
    : { name: CHECK.platform, ok: false, detail: `architecture ${basics.arch} is not a supported platform (${PLATFORMS.join(', ')})` };
}
