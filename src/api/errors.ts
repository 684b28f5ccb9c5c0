/**
 * The one error catalogue shared by the control plane and the CLI.
 *
 * Every code is stable: scripts and the acceptance checks match on it. The HTTP
 * status lives beside each code, so adding a code without a status does not compile,
 * and `docs/errors.md` is checked against this table by a test.
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, title: 'The request is malformed or a field is invalid.' },
  invalid_isolation_class: { status: 400, title: 'The isolation class is not one idyl knows.' },
  invalid_runtime_policy: { status: 400, title: 'The subnet runtime policy is inconsistent.' },
  forbidden_runtime_option: { status: 400, title: 'The workload spec carries a raw runtime knob.' },
  payload_too_large: { status: 413, title: 'The request body is larger than the server accepts.' },
  unauthenticated: { status: 401, title: 'No valid token was presented.' },
  node_removed: { status: 401, title: 'The node of this credential was deleted from the control plane.' },
  forbidden: { status: 403, title: 'The token may not do this.' },
  not_admitted: { status: 403, title: 'The subnet has not admitted this account or node.' },
  subnet_not_approved: { status: 403, title: 'The account has not approved this subnet for deploys.' },
  not_found: { status: 404, title: 'No such resource.' },
  subnet_not_found: { status: 404, title: 'No such subnet.' },
  conflict: { status: 409, title: 'The resource exists or changed meanwhile.' },
  isolation_class_not_allowed: { status: 422, title: "The subnet's runtime policy does not allow this class." },
  isolation_class_required: { status: 422, title: 'The subnet requires the workload to state its class.' },
  microvm_gpu_not_allowed: { status: 422, title: 'The subnet has not validated a microVM GPU path.' },
  microvm_gpu_backend_unsupported: { status: 422, title: 'The allowed VMM backend cannot pass GPUs through.' },
  unschedulable: { status: 422, title: 'The workload could not be placed before the deadline.' },
  rate_limited: { status: 429, title: 'Too many failed attempts; slow down.' },
  unavailable: { status: 503, title: 'The server is shutting down or not ready.' },
  internal: { status: 500, title: 'A fault inside idyl; the request may be retried.' },
} as const satisfies Record<string, { status: number; title: string }>;

/** A stable error code (`error.code` in the API, printed by the CLI). */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Structured detail that travels with an error: a field path, allowed values, a hint. */
export interface ErrorDetails {
  /** JSON path of the offending field, e.g. `spec.containers[0].resources.requests.cpu`. */
  readonly field?: string;
  /** Valid values, where the set is small. */
  readonly allowed?: readonly string[];
  /** What the person can do next. */
  readonly hint?: string;
  readonly [key: string]: unknown;
}

/** The wire shape of every error response body. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: ErrorDetails };
}

/** An expected refusal: carries a stable code. Thrown at the edges, returned as a value inside. */
export class IdylError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'IdylError';
    this.code = code;
    this.details = details;
  }

  /** The HTTP status that the catalogue assigns to this error's code. */
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  /** The wire body of this error. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/** True when `value` names a code in the catalogue. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

/** Shorthand for a `validation_failed` error on one field. */
export function invalidField(field: string, message: string, extra?: Omit<ErrorDetails, 'field'>): IdylError {
  return new IdylError('validation_failed', `${field || 'body'}: ${message}`, { field, ...extra });
}
