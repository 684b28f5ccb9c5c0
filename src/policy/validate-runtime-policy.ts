import type { Static } from '@sinclair/typebox';
import type { ErrorDetails } from '../api/errors.js';
import { ISOLATION_CLASSES, VMM_BACKENDS, isIsolationClass, isVmmBackend, type IsolationClass, type VmmBackend } from '../api/isolation.js';
import { ok, refuse, type Outcome } from '../api/outcome.js';
import type { RuntimePolicySchema } from '../api/schemas/requests.js';
import type { RuntimePolicy } from '../api/subnet.js';
import { isolationClassHint } from './class-hints.js';

/** A runtime policy as clients send it: shape checked, values not yet. */
export type RuntimePolicyInput = Static<typeof RuntimePolicySchema>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Checks a runtime policy against every rule of isolation.md section 2 and returns
 * it in canonical form (lists deduplicated and in vocabulary order; `false` flags
 * dropped), or `undefined` when nothing is set (`{}` means no policy). A broken rule
 * is `invalid_runtime_policy` with `details.field` = `runtimePolicy.<field>`.
 */
export function validateRuntimePolicy(input: RuntimePolicyInput): Outcome<RuntimePolicy | undefined> {
  const out: Mutable<RuntimePolicy> = {};
  const classesIn = input.allowedIsolationClasses;
  const anySet =
    classesIn !== undefined ||
    input.defaultIsolationClass !== undefined ||
    input.requireExplicitIsolationClass === true ||
    input.allowedVMMBackends !== undefined ||
    input.microvmGPU === true;
  if (!anySet) return ok(undefined);
  if (classesIn === undefined) {
    return invalid('allowedIsolationClasses', 'allowedIsolationClasses is required when a runtime policy is set: list the classes the subnet accepts', {
      allowed: [...ISOLATION_CLASSES],
    });
  }
  const classes = canonicalClasses(classesIn);
  if (!classes.ok) return classes;
  out.allowedIsolationClasses = classes.value;
  const allows = (c: IsolationClass) => classes.value.includes(c);

  const def = input.defaultIsolationClass;
  if (def !== undefined) {
    if (!isIsolationClass(def)) {
      return invalid('defaultIsolationClass', notAClass(def, '--default-isolation-class'), { allowed: [...classes.value], ...suggestion(def) });
    }
    if (!allows(def)) {
      return invalid('defaultIsolationClass', `the default class ${def} is not among the allowed classes (${classes.value.join(', ')}): allow it or pick one of those`, {
        allowed: [...classes.value],
      });
    }
    if (input.requireExplicitIsolationClass === true) {
      return invalid('defaultIsolationClass', 'a default class and requireExplicitIsolationClass cannot both be set: a strict subnet has no default; drop one of them');
    }
    out.defaultIsolationClass = def;
  }
  if (input.requireExplicitIsolationClass === true) out.requireExplicitIsolationClass = true;

  if (input.allowedVMMBackends !== undefined) {
    if (!allows('microvm')) {
      return invalid('allowedVMMBackends', 'allowedVMMBackends only applies to class microvm, which this policy does not allow: allow microvm or drop the backends');
    }
    const backends = canonicalBackends(input.allowedVMMBackends);
    if (!backends.ok) return backends;
    out.allowedVMMBackends = backends.value;
  }

  if (input.microvmGPU === true) {
    if (!allows('microvm')) {
      return invalid('microvmGPU', 'microvmGPU only applies to class microvm, which this policy does not allow: allow microvm or drop microvmGPU');
    }
    out.microvmGPU = true;
  }
  return ok(Object.freeze(out));
}

function canonicalClasses(values: readonly string[]): Outcome<readonly IsolationClass[]> {
  if (values.length === 0) {
    return invalid('allowedIsolationClasses', 'allowedIsolationClasses is empty: list at least one class, or clear the runtime policy', {
      allowed: [...ISOLATION_CLASSES],
    });
  }
  for (const [i, v] of values.entries()) {
    if (!isIsolationClass(v)) {
      return invalid(`allowedIsolationClasses[${i}]`, notAClass(v, '--allowed-isolation-class'), { allowed: [...ISOLATION_CLASSES], ...suggestion(v) });
    }
  }
  return ok(Object.freeze(ISOLATION_CLASSES.filter((c) => values.includes(c))));
}

function canonicalBackends(values: readonly string[]): Outcome<readonly VmmBackend[]> {
  if (values.length === 0) {
    return invalid('allowedVMMBackends', 'allowedVMMBackends is empty, which would make every microvm node ineligible: list at least one backend, or leave it out to allow all', {
      allowed: [...VMM_BACKENDS],
    });
  }
  for (const [i, v] of values.entries()) {
    if (!isVmmBackend(v)) {
      const profileHint = VMM_BACKENDS.find((b) => v.toLowerCase().endsWith(b) || (b === 'firecracker' && v.toLowerCase().endsWith('-fc')));
      const hint = profileHint ? `; did you mean ${profileHint}?` : '';
      return invalid(`allowedVMMBackends[${i}]`, `"${v}" is not a VMM backend (valid: ${VMM_BACKENDS.join(', ')})${hint}`, { allowed: [...VMM_BACKENDS] });
    }
  }
  return ok(Object.freeze(VMM_BACKENDS.filter((b) => values.includes(b))));
}

/**
 * Why `value` is not a class, said once and to the operator: the policy flag to use
 * (`flag`), never a workload's `--isolation-class`.
 */
function notAClass(value: string, flag: string): string {
  const base = `"${value}" is not an isolation class (valid: ${ISOLATION_CLASSES.join(', ')})`;
  if (isVmmBackend(value.trim().toLowerCase())) return `${base}: it is a VMM backend; allow microvm and list the backend with --allowed-vmm-backend`;
  const { suggestion: cls } = isolationClassHint(value);
  return cls ? `${base}: did you mean ${flag} ${cls}?` : base;
}

function suggestion(value: string): { suggestion?: IsolationClass } {
  const { suggestion: cls } = isolationClassHint(value);
  return cls ? { suggestion: cls } : {};
}

function invalid(field: string, message: string, extra: Omit<ErrorDetails, 'field'> = {}): Outcome<never> {
  return refuse('invalid_runtime_policy', `runtimePolicy.${field}: ${message}`, { field: `runtimePolicy.${field}`, ...extra });
}
