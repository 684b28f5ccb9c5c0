import { IdylError, type ErrorCode, type ErrorDetails } from './errors.js';

/**
 * An expected result or an expected refusal, as a value. Policy, validation and
 * parsing code returns these; only faults throw.
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IdylError };

/** A successful outcome. */
export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** A refused outcome with a stable code. */
export function refuse<T = never>(code: ErrorCode, message: string, details?: ErrorDetails): Outcome<T> {
  return { ok: false, error: new IdylError(code, message, details) };
}

/** Returns the value or throws the refusal (for use at the edges only). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
