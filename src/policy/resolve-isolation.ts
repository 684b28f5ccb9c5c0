import type { GpuRequest } from '../api/gpu.js';
import { ISOLATION_CLASSES, isIsolationClass, type IsolationClass } from '../api/isolation.js';
import { ok, refuse, type Outcome } from '../api/outcome.js';
import type { RuntimePolicy } from '../api/subnet.js';
import type { FrozenIsolation } from '../api/workload.js';
import { isolationClassHint } from './class-hints.js';
import { onlyFirecracker } from './policy-allows.js';

/** The manifest path of a pod's class, used when the caller names no other. */
export const ISOLATION_CLASS_FIELD = 'spec.isolation.class';

/**
 * Resolves the class a workload runs with, at submit (isolation.md section 3, in
 * its order):
 * 1. an unknown value is `invalid_isolation_class` (with the valid values and a hint);
 * 2. a given class must be in the policy's allowed classes (`isolation_class_not_allowed`);
 * 3. without one: strict subnet or a policy without default is `isolation_class_required`,
 *    else the subnet default, else `container` when there is no policy;
 * 4. a GPU with `microvm` needs the subnet's `microvmGPU` (`microvm_gpu_not_allowed`) and a
 *    backend other than only Firecracker (`microvm_gpu_backend_unsupported`).
 * The result is what gets frozen into the workload record. `field` names where the
 * class came from in refusals (default `spec.isolation.class`).
 */
export function resolveIsolation(
  policy: RuntimePolicy | undefined,
  requested: string | undefined,
  gpu: GpuRequest | undefined,
  field: string = ISOLATION_CLASS_FIELD,
): Outcome<FrozenIsolation> {
  const chosen = chooseClass(policy, requested, field);
  if (!chosen.ok) return chosen;
  if (gpu !== undefined && chosen.value.class === 'microvm') {
    const gpuCheck = checkMicrovmGpu(policy);
    if (!gpuCheck.ok) return gpuCheck;
  }
  return chosen;
}

function chooseClass(policy: RuntimePolicy | undefined, requested: string | undefined, field: string): Outcome<FrozenIsolation> {
  if (requested !== undefined) {
    if (!isIsolationClass(requested)) return invalidClass(requested, field);
    if (policy?.allowedIsolationClasses && !policy.allowedIsolationClasses.includes(requested)) {
      const allowed = policy.allowedIsolationClasses;
      return refuse('isolation_class_not_allowed', `the subnet's runtime policy does not allow class ${requested}; it allows ${list(allowed)}`, {
        field,
        allowed: [...allowed],
        hint: `ask for --isolation-class ${allowed[0] ?? 'container'}, or deploy to a subnet that allows ${requested}`,
      });
    }
    return ok({ class: requested, source: 'explicit' });
  }
  if (policy === undefined) return ok({ class: 'container', source: 'platform-default' });
  const allowed = policy.allowedIsolationClasses ?? [];
  if (policy.requireExplicitIsolationClass) {
    return refuse('isolation_class_required', `this subnet requires every workload to state its isolation class; it allows ${list(allowed)}`, {
      field,
      allowed: [...allowed],
      hint: `add --isolation-class ${allowed[0] ?? 'microvm'} (or isolation.class in the manifest)`,
    });
  }
  if (policy.defaultIsolationClass !== undefined) return ok({ class: policy.defaultIsolationClass, source: 'subnet-default' });
  return refuse('isolation_class_required', `this subnet has a runtime policy without a default class, so the workload must state one; it allows ${list(allowed)}`, {
    field,
    allowed: [...allowed],
    hint: `add --isolation-class ${allowed[0] ?? 'microvm'} (or isolation.class in the manifest)`,
  });
}

function checkMicrovmGpu(policy: RuntimePolicy | undefined): Outcome<void> {
  if (policy?.microvmGPU !== true) {
    const firecracker = policy !== undefined && onlyFirecracker(policy);
    const also = firecracker ? ' Its only allowed VMM backend, firecracker, cannot pass GPUs through either.' : '';
    return refuse('microvm_gpu_not_allowed', `the subnet has not validated a microVM GPU path, so a microvm workload cannot have a GPU.${also}`, {
      field: 'spec.gpu',
      hint: 'ask the subnet operator for --allow-microvm-gpu, or run the GPU workload as class container where the subnet allows it',
    });
  }
  if (onlyFirecracker(policy)) {
    return refuse('microvm_gpu_backend_unsupported', "the subnet's only allowed VMM backend is firecracker, which has no device passthrough, so a microvm workload cannot have a GPU", {
      field: 'spec.gpu',
      hint: 'ask the subnet operator to allow the qemu backend (--allowed-vmm-backend qemu), or drop the GPU',
    });
  }
  return ok(undefined);
}

function invalidClass(value: string, field: string): Outcome<never> {
  const { suggestion, hint } = isolationClassHint(value);
  return refuse('invalid_isolation_class', `"${value}" is not an isolation class (valid: ${ISOLATION_CLASSES.join(', ')}): ${hint}`, {
    field,
    allowed: [...ISOLATION_CLASSES],
    hint,
    ...(suggestion ? { suggestion } : {}),
  });
}

function list(classes: readonly IsolationClass[]): string {
  return classes.length ? classes.join(', ') : 'no class';
}
