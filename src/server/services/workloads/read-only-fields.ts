import type { WorkloadMetadata } from '../../../api/workload.js';

/**
 * What the API prints about a stored workload that a manifest may not set: the whole
 * `status` and the server-set metadata. `idyl get -o yaml` prints them, so apply
 * (PUT) drops them to let that output be applied back unchanged; create (POST) keeps
 * refusing them as unknown fields.
 */
export const READ_ONLY_METADATA_FIELDS = ['id', 'accountId', 'subnetSlug', 'ownerReferences', 'createdAt', 'updatedAt', 'resourceVersion'] as const satisfies ReadonlyArray<keyof WorkloadMetadata>;

/**
 * `raw` without `status` and the read-only metadata fields, whatever their values
 * (`resourceVersion` is not an optimistic check: a manifest is applied repeatedly).
 * Anything else, unknown fields included, is left for validation to judge.
 */
export function withoutReadOnlyFields(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const { status: _status, ...rest } = raw as Record<string, unknown>;
  const meta = rest.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return rest;
  const kept: Record<string, unknown> = { ...(meta as Record<string, unknown>) };
  for (const f of READ_ONLY_METADATA_FIELDS) delete kept[f];
  return { ...rest, metadata: kept };
}
