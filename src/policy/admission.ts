import type { AdmissionMode } from '../api/subnet.js';

/**
 * Admission decisions (system.md, "Who may do what"), pure: the caller loads the
 * subnet's mode and grants and acts on the verdict.
 */

/** The verdict for one account or node asking to take part in a subnet. */
export type AdmissionVerdict =
  | { readonly admitted: true; readonly why: 'owner' | 'open' | 'granted' }
  /** `record`: approval mode keeps a request for the owner to grant. */
  | { readonly admitted: false; readonly record: boolean; readonly why: string };

/** What the decision needs to know about the subnet and the asker. */
export interface AdmissionFacts {
  readonly mode: AdmissionMode;
  /** The asker's account owns the subnet. */
  readonly isOwner: boolean;
  /** A grant covers the asker (its account; for nodes, its fleet or the node itself). */
  readonly granted: boolean;
  /** A request is already recorded. */
  readonly requested: boolean;
}

/**
 * Decides developer or provider admission. The owner is always admitted; `open`
 * admits anyone authenticated; `approval` and `invite` need a grant, and only
 * `approval` records the attempt as a request.
 */
export function decideAdmission(f: AdmissionFacts): AdmissionVerdict {
  if (f.isOwner) return { admitted: true, why: 'owner' };
  if (f.granted) return { admitted: true, why: 'granted' };
  if (f.mode === 'open') return { admitted: true, why: 'open' };
  if (f.mode === 'approval') {
    return { admitted: false, record: !f.requested, why: f.requested ? 'request pending the owner\'s grant' : 'request recorded; the owner must grant it' };
  }
  return { admitted: false, record: false, why: 'the subnet admits by invitation only' };
}
