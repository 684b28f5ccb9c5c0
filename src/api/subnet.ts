import type { IsolationClass, VmmBackend } from './isolation.js';

/** A subnet's runtime policy (isolation.md section 2). Absent fields are unset. */
export interface RuntimePolicy {
  readonly allowedIsolationClasses?: readonly IsolationClass[];
  readonly defaultIsolationClass?: IsolationClass;
  readonly requireExplicitIsolationClass?: boolean;
  readonly allowedVMMBackends?: readonly VmmBackend[];
  readonly microvmGPU?: boolean;
}

/** The field names of a runtime policy, in documentation order. */
export const RUNTIME_POLICY_FIELDS = [
  'allowedIsolationClasses',
  'defaultIsolationClass',
  'requireExplicitIsolationClass',
  'allowedVMMBackends',
  'microvmGPU',
] as const;

/** Who may take part in a subnet (system.md, "Who may do what"). */
export const ADMISSION_MODES = ['open', 'approval', 'invite'] as const;
export type AdmissionMode = (typeof ADMISSION_MODES)[number];
export const ADMISSION_TYPES = ['developer', 'provider'] as const;
export type AdmissionType = (typeof ADMISSION_TYPES)[number];

/** A grant of admission, or a recorded request waiting for one. */
export interface AdmissionEntry {
  readonly type: AdmissionType;
  /** `account`, `fleet` or `node`. */
  readonly subjectKind: 'account' | 'fleet' | 'node';
  readonly subjectId: string;
  /** `granted`, or `requested` (approval mode, waiting for the owner). */
  readonly state: 'granted' | 'requested';
  readonly at: string;
}

/** A subnet's admission settings. */
export interface SubnetAdmission {
  readonly developer: { readonly mode: AdmissionMode };
  readonly provider: { readonly mode: AdmissionMode };
  readonly entries: readonly AdmissionEntry[];
}

/** A subnet as the API returns it. */
export interface Subnet {
  readonly slug: string;
  readonly name?: string;
  readonly region: string;
  readonly accountId: string;
  readonly runtimePolicy?: RuntimePolicy;
  readonly admission: SubnetAdmission;
  readonly createdAt: string;
  readonly updatedAt: string;
}
