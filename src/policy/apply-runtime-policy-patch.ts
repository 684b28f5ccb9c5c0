import type { Static } from '@sinclair/typebox';
import type { Outcome } from '../api/outcome.js';
import type { RuntimePolicyPatchSchema } from '../api/schemas/requests.js';
import { RUNTIME_POLICY_FIELDS, type RuntimePolicy } from '../api/subnet.js';
import { validateRuntimePolicy, type RuntimePolicyInput } from './validate-runtime-policy.js';

/** A runtime-policy patch as clients send it: a field set to null is removed. */
export type RuntimePolicyPatch = Static<typeof RuntimePolicyPatchSchema>;

/**
 * Applies `patch` to `current` with JSON merge-patch semantics: a field set to a
 * value replaces it, a field set to `null` removes it, an absent field stays;
 * `patch === null` clears the whole policy. The result is validated as a whole
 * (`validateRuntimePolicy`), so a patch that leaves an inconsistent policy is refused
 * and a patch that removes every field yields `undefined` (no policy).
 */
export function applyRuntimePolicyPatch(current: RuntimePolicy | undefined, patch: RuntimePolicyPatch | null): Outcome<RuntimePolicy | undefined> {
  if (patch === null) return validateRuntimePolicy({});
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const field of RUNTIME_POLICY_FIELDS) {
    if (!Object.hasOwn(patch, field)) continue;
    const value = patch[field];
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return validateRuntimePolicy(merged as RuntimePolicyInput);
}
