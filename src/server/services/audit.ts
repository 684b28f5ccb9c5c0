import type { AuditData } from '../../api/event.js';
import type { Principal } from '../auth/principal.js';
import { describePrincipal } from '../auth/principal.js';
import type { EventInsert } from '../store/rows.js';
import type { Repos } from '../store/store.js';

/** One decision to record: who, what, on what, allowed or refused, and why. */
export interface AuditEntry {
  readonly principal: Principal | undefined;
  /** The account whose log shows it (besides the actor's own). */
  readonly accountId?: string;
  readonly peerAccountId?: string;
  readonly action: string;
  readonly target: string;
  readonly allowed: boolean;
  readonly reason: string;
  readonly subnetId?: string;
  readonly nodeId?: string;
}

/**
 * Appends an `audit` event. Every admission, policy, token and node-credential
 * decision goes through here; the record never carries a secret.
 */
export async function audit(tx: Repos, e: AuditEntry): Promise<number> {
  return tx.events.append(auditEvent(e));
}

/** The `audit` event recording `e`. */
export function auditEvent(e: AuditEntry): EventInsert {
  const actor = describePrincipal(e.principal);
  const data: AuditData = { actor, action: e.action, target: e.target, allowed: e.allowed, reason: e.reason };
  return {
    type: 'audit',
    accountId: e.accountId ?? actor.accountId,
    peerAccountId: e.peerAccountId && e.peerAccountId !== (e.accountId ?? actor.accountId) ? e.peerAccountId : undefined,
    subjectKind: 'audit',
    subjectId: e.target,
    subnetId: e.subnetId,
    nodeId: undefined,
    message: `${e.allowed ? 'allowed' : 'refused'}: ${e.action} ${e.target} (${e.reason})`,
    data: { ...data },
  };
}
