import { Type, type TSchema } from '@sinclair/typebox';

/** A DNS-label name: lower-case letters, digits and `-`, at most 63 characters. */
export const Name = Type.String({
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  minLength: 1,
  maxLength: 63,
  description: 'lower-case letters, digits and -, starting and ending with a letter or digit',
});

/** Labels and annotations: short keys, string values. */
export const StringMap = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$', maxLength: 253 }),
  Type.String({ maxLength: 4096 }),
  { maxProperties: 64 },
);

/** A CPU or size quantity as users write it: a string, or a bare number. */
export const Quantity = Type.Union([Type.String({ maxLength: 32 }), Type.Number()], {
  description: 'CPU: 1, 0.5, 500m; sizes: 512Mi, 1Gi, 500M, bare bytes',
});

/** Closed object: unknown fields are refused with their path. */
export function Closed<T extends Parameters<typeof Type.Object>[0]>(props: T, opts: { description?: string } = {}) {
  return Type.Object(props, { additionalProperties: false, ...opts });
}

/** Marks a schema for the OpenAPI document's components. */
export function named<T extends TSchema>(id: string, schema: T): T {
  return { ...schema, $id: id } as T;
}
