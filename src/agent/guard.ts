import { PROFILE_TABLE, type RuntimeProfile } from '../api/isolation.js';
import type { Assignment } from '../api/wire.js';

/** The agent's verdict on an assignment before it launches anything. */
export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'isolation_class_unsupported' | 'runtime_unavailable'; readonly message: string };

/**
 * The agent's own guard (isolation.md section 7): refuse an assignment whose frozen
 * class, backend or profile this node cannot serve, and refuse to launch a microVM
 * while the node's last probe could not verify its runtime. Never "makes it work"
 * with another runtime.
 */
export function guardAssignment(a: Assignment, profile: RuntimeProfile, verified: boolean): GuardVerdict {
  const own = PROFILE_TABLE[profile];
  const frozen = a.isolation.class;
  if (frozen !== own.isolationClass || a.target.isolationClass !== frozen) {
    return { ok: false, reason: 'isolation_class_unsupported', message: `node profile ${profile} serves class ${own.isolationClass}; the pod is frozen to ${frozen}` };
  }
  if (a.target.runtimeProfile !== profile) {
    return { ok: false, reason: 'isolation_class_unsupported', message: `assigned for profile ${a.target.runtimeProfile}; this node runs ${profile}` };
  }
  if (frozen === 'microvm' && a.target.vmmBackend !== own.vmmBackend) {
    return { ok: false, reason: 'isolation_class_unsupported', message: `assigned for backend ${a.target.vmmBackend ?? 'none'}; this node's backend is ${own.vmmBackend}` };
  }
  if (!verified) {
    return { ok: false, reason: 'runtime_unavailable', message: `the host checks for ${profile} do not pass on this node now` };
  }
  return { ok: true };
}
