import type { IsolationClass, VmmBackend } from '../api/isolation.js';
import type { RuntimePolicy } from '../api/subnet.js';
import type { PolicyEffects } from '../api/wire.js';
import type { FrozenIsolation, Phase } from '../api/workload.js';
import { onlyFirecracker, policyAllowsBackend, policyAllowsClass } from './policy-allows.js';

/** What a changed policy says about one existing workload. */
export interface PolicyViolation {
  readonly code: 'isolation_class_not_allowed' | 'microvm_gpu_not_allowed' | 'microvm_gpu_backend_unsupported' | 'vmm_backend_not_allowed';
  readonly message: string;
}

/** An existing workload as section 8 looks at it. */
export interface PolicySubject {
  readonly id: string;
  readonly phase: Phase;
  readonly isolation: FrozenIsolation;
  /** True when the workload asks for a GPU. */
  readonly gpu: boolean;
  /** The backend it was placed on, for a placed `microvm` workload. */
  readonly vmmBackend?: VmmBackend;
}

/**
 * Checks an existing workload's frozen class against a (new) policy. The frozen
 * class is never re-resolved: defaults and strictness only apply at submit. A
 * violation is: the class is no longer allowed; a `microvm` GPU workload without
 * the subnet's `microvmGPU` or with Firecracker as the only backend; and, for a
 * workload already placed on a VMM backend, that backend no longer allowed.
 */
export function checkPolicyCompliance(policy: RuntimePolicy | undefined, subject: Omit<PolicySubject, 'id' | 'phase'>): PolicyViolation | undefined {
  const cls: IsolationClass = subject.isolation.class;
  if (!policyAllowsClass(policy, cls)) {
    return {
      code: 'isolation_class_not_allowed',
      message: `the subnet's runtime policy no longer allows class ${cls}; it allows ${policy?.allowedIsolationClasses?.join(', ') ?? 'every class'}`,
    };
  }
  if (cls !== 'microvm') return undefined;
  if (subject.gpu && policy?.microvmGPU !== true) {
    return { code: 'microvm_gpu_not_allowed', message: 'the subnet no longer declares a validated microVM GPU path (microvmGPU)' };
  }
  if (subject.gpu && policy !== undefined && onlyFirecracker(policy)) {
    return { code: 'microvm_gpu_backend_unsupported', message: "the subnet's only allowed VMM backend is now firecracker, which cannot pass GPUs through" };
  }
  if (subject.vmmBackend !== undefined && !policyAllowsBackend(policy, subject.vmmBackend)) {
    return {
      code: 'vmm_backend_not_allowed',
      message: `the workload runs on backend ${subject.vmmBackend}, which the subnet no longer allows (${policy?.allowedVMMBackends?.join(', ') ?? ''})`,
    };
  }
  return undefined;
}

/** What the control plane does to existing workloads after a policy change. */
export interface PolicyChangePlan {
  /** Pending workloads to fail with the violation's code as their reason. */
  readonly fail: readonly { readonly id: string; readonly violation: PolicyViolation }[];
  /** Running workloads that keep running and get (or keep) condition `PolicyNonCompliant`. */
  readonly nonCompliant: readonly { readonly id: string; readonly violation: PolicyViolation }[];
  /** Running workloads the policy allows: a stale `PolicyNonCompliant` condition is cleared. */
  readonly compliant: readonly string[];
  /** The counts `idyl subnet edit` prints. */
  readonly effects: PolicyEffects;
}

/**
 * Applies isolation.md section 8 to a subnet's existing workloads: `Pending` ones
 * that violate the new policy fail, `Running` ones keep running and are marked
 * `PolicyNonCompliant`; finished workloads are left alone and counted as unaffected.
 * A pending workload is not failed for its backends alone: the scheduler simply
 * skips nodes whose backend is no longer allowed.
 */
export function planPolicyChange(policy: RuntimePolicy | undefined, subjects: readonly PolicySubject[]): PolicyChangePlan {
  const fail: { id: string; violation: PolicyViolation }[] = [];
  const nonCompliant: { id: string; violation: PolicyViolation }[] = [];
  const compliant: string[] = [];
  let unaffected = 0;
  for (const s of subjects) {
    if (s.phase === 'Pending') {
      const violation = checkPolicyCompliance(policy, { isolation: s.isolation, gpu: s.gpu });
      if (violation) fail.push({ id: s.id, violation });
      else unaffected++;
    } else if (s.phase === 'Running') {
      const violation = checkPolicyCompliance(policy, s);
      if (violation) nonCompliant.push({ id: s.id, violation });
      else {
        compliant.push(s.id);
        unaffected++;
      }
    } else unaffected++;
  }
  return { fail, nonCompliant, compliant, effects: { pendingFailed: fail.length, runningNonCompliant: nonCompliant.length, unaffected } };
}
