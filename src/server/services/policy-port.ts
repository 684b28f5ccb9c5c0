/** The policy functions the services use, from src/policy (one import site for the server). */
export { validateRuntimePolicy } from '../../policy/validate-runtime-policy.js';
export { applyRuntimePolicyPatch } from '../../policy/apply-runtime-policy-patch.js';
export { resolveIsolation } from '../../policy/resolve-isolation.js';
export { policyAllowsClass } from '../../policy/policy-allows.js';
export { checkPolicyCompliance, planPolicyChange } from '../../policy/policy-compliance.js';
export { findForbiddenRuntimeOption } from '../../policy/find-forbidden-runtime-option.js';
export { parseRequirement } from '../../policy/requirement.js';
