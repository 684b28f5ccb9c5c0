/**
 * One entry of the append-only event log. Revisions increase by one with every
 * committed change, so a watcher that resumes from N sees every later event.
 */
export interface EventRecord {
  readonly revision: number;
  readonly at: string;
  /** e.g. `workload.created`, `workload.scheduled`, `node.registered`, `subnet.policy_changed`, `audit`. */
  readonly type: string;
  /** The account whose log this belongs to. */
  readonly accountId?: string;
  readonly subject: { readonly kind: string; readonly id: string; readonly name?: string };
  readonly subnet?: string;
  readonly node?: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The audit record carried in `data` of an `audit` event. */
export interface AuditData {
  readonly actor: { readonly kind: 'user' | 'node' | 'anonymous'; readonly id: string; readonly accountId?: string };
  readonly action: string;
  readonly target: string;
  readonly allowed: boolean;
  readonly reason: string;
}
