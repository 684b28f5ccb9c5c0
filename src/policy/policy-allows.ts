import type { IsolationClass, VmmBackend } from '../api/isolation.js';
import type { RuntimePolicy } from '../api/subnet.js';

/**
 * True when the subnet's policy accepts workloads of class `cls`. No policy
 * accepts every class (isolation.md section 2: absent = no policy).
 */
export function policyAllowsClass(policy: RuntimePolicy | undefined, cls: IsolationClass): boolean {
  if (policy?.allowedIsolationClasses === undefined) return true;
  return policy.allowedIsolationClasses.includes(cls);
}

/**
 * True when a `microvm` workload may run on nodes with VMM `backend` under this
 * policy: every backend when `allowedVMMBackends` is unset.
 */
export function policyAllowsBackend(policy: RuntimePolicy | undefined, backend: VmmBackend): boolean {
  if (policy?.allowedVMMBackends === undefined) return true;
  return policy.allowedVMMBackends.includes(backend);
}

/** True when the policy's allowed backends are exactly `[firecracker]` (no GPU passthrough). */
export function onlyFirecracker(policy: RuntimePolicy): boolean {
  const backends = policy.allowedVMMBackends;
  return backends !== undefined && backends.length === 1 && backends[0] === 'firecracker';
}
