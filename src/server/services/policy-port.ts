/**
 * TEMPORARY stand-in until the policy module lands; replaced by re-exports from src/policy.
 */
import type { RuntimePolicy } from '../../api/subnet.js';
import type { FrozenIsolation } from '../../api/workload.js';
import type { GpuRequest } from '../../api/gpu.js';
import type { IsolationClass } from '../../api/isolation.js';
import { ok, refuse, type Outcome } from '../../api/outcome.js';

export function validateRuntimePolicy(input: unknown): Outcome<RuntimePolicy | undefined> {
  if (!input || Object.keys(input as object).length === 0) return ok(undefined);
  return ok(input as RuntimePolicy);
}
export function applyRuntimePolicyPatch(current: RuntimePolicy | undefined, patch: unknown): Outcome<RuntimePolicy | undefined> {
  if (patch === null) return ok(undefined);
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(patch as object)) if (v === null) delete merged[k]; else merged[k] = v;
  return validateRuntimePolicy(merged);
}
export function resolveIsolation(policy: RuntimePolicy | undefined, requested: string | undefined, _gpu: GpuRequest | undefined): Outcome<FrozenIsolation> {
  if (requested !== undefined && requested !== 'container' && requested !== 'microvm') return refuse('invalid_isolation_class', `unknown class ${requested}`);
  if (requested) return ok({ class: requested as IsolationClass, source: 'explicit' });
  if (policy?.defaultIsolationClass) return ok({ class: policy.defaultIsolationClass, source: 'subnet-default' });
  return ok({ class: 'container', source: 'platform-default' });
}
export function policyAllowsClass(policy: RuntimePolicy | undefined, cls: IsolationClass): boolean {
  return !policy?.allowedIsolationClasses || policy.allowedIsolationClasses.includes(cls);
}
export function findForbiddenRuntimeOption(_raw: unknown): Outcome<void> {
  return ok(undefined);
}
export function parseRequirement(_key: string, _expr: string): Outcome<unknown> {
  return ok(undefined);
}
