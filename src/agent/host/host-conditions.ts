import type { CapabilityReport, NodeCondition } from '../../api/node.js';

/** The condition type a failed host check becomes (field case 29). */
export const HOST_CHECK_FAILED = 'HostCheckFailed';

/**
 * One `HostCheckFailed` condition per failed check of `report`, with the check name
 * as `reason` and its detail as `message`, so `idyl node get` names what failed.
 * `since(name)` gives when that check started failing (the caller keeps that
 * memory; default: `now`).
 */
export function hostCheckConditions(report: CapabilityReport, now: string, since: (check: string) => string | undefined = () => undefined): NodeCondition[] {
  return report.checks
    .filter((c) => !c.ok)
    .map((c) => ({ type: HOST_CHECK_FAILED, status: 'True', reason: c.name, message: c.detail, since: since(c.name) ?? now }));
}
