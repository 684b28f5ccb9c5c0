import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { IdylError } from './errors.js';
import { ok, type Outcome } from './outcome.js';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
export function toFieldPath(pointer: string, prefix = ''): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/**
 * Checks `value` against `schema` and returns it typed, or a `validation_failed`
 * refusal naming the first offending field (unknown fields included).
 */
export function validate<T extends TSchema>(schema: T, value: unknown, prefix = ''): Outcome<Static<T>> {
  let check = cache.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  if (check.Check(value)) return ok(value as Static<T>);
  const first = check.Errors(value).First();
  if (!first) return { ok: false, error: new IdylError('validation_failed', `${prefix || 'body'}: invalid`, { field: prefix }) };
  const field = toFieldPath(first.path, prefix);
  const label = field || 'body';
  let message: string;
  switch (first.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      message = `${label}: unknown field`;
      break;
    case ValueErrorType.ObjectRequiredProperty:
      message = `${label}: required`;
      break;
    case ValueErrorType.StringPattern:
      message = `${label}: ${describePattern(first.schema)}`;
      break;
    case ValueErrorType.Union: {
      const literals = literalValues(first.schema);
      const described = (first.schema as { description?: string }).description;
      message = literals
        ? `${label}: must be one of ${literals.join(', ')}`
        : `${label}: has the wrong type${described ? ` (${described})` : ''}`;
      return { ok: false, error: new IdylError('validation_failed', message, { field, ...(literals ? { allowed: literals } : {}) }) };
    }
    default:
      message = `${label}: ${first.message.charAt(0).toLowerCase()}${first.message.slice(1)}`;
  }
  return { ok: false, error: new IdylError('validation_failed', message, { field }) };
}

function describePattern(schema: TSchema): string {
  const d = (schema as { description?: string }).description;
  return d ? `must be ${d}` : `does not match ${(schema as { pattern?: string }).pattern ?? 'the expected form'}`;
}

function literalValues(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: Array<{ const?: unknown }> }).anyOf;
  if (!anyOf || !anyOf.every((s) => typeof s.const === 'string')) return undefined;
  return anyOf.map((s) => String(s.const));
}
