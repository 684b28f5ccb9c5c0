import { parseBytes } from './quantity.js';
import { ok, refuse, type Outcome } from './outcome.js';

/** GPU vendors idyl knows by name; any other device is reported by PCI ids. */
export const GPU_VENDORS = ['nvidia', 'amd', 'intel'] as const;
export type GpuVendor = (typeof GPU_VENDORS)[number];

/** How a GPU is bound on its host, which decides who may use it (isolation.md section 5). */
export type GpuMode = 'host-driver' | 'vfio';

/** One GPU as a node reports it. */
export interface GpuDevice {
  /** Stable id: the vendor's UUID where the driver gives one, else `pci-<address>`. */
  readonly id: string;
  readonly vendor: GpuVendor | 'unknown';
  /** PCI vendor and device ids, e.g. `0x10de`, `0x2330`. */
  readonly vendorId: string;
  readonly deviceId: string;
  readonly pciAddress: string;
  /** Short lower-case model (`h100`), absent when the agent cannot name the device. */
  readonly model?: string;
  /** The full product name the driver reports, where known. */
  readonly name?: string;
  readonly memoryBytes?: number;
  readonly mode: GpuMode;
  /** False when the agent could not name the model: flagged for people, still reported. */
  readonly named: boolean;
}

/** A workload's parsed `gpu` value. */
export interface GpuRequest {
  readonly count: number;
  /** Any of these models (lower case); absent = any model. */
  readonly models?: readonly string[];
  readonly vendor?: GpuVendor;
  /** Least memory per GPU. */
  readonly minMemoryBytes?: number;
}

const COUNT_RE = /^[1-9]\d{0,2}$/;
const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Parses a pod-level `gpu` value: `4`, `h100`, `2:h100`, `a100:80Gi`, `nvidia:24Gi`,
 * `2:h100|a100` (a list of models means any of them; `,` works as well as `|`).
 */
export function parseGpuRequest(value: unknown, field: string): Outcome<GpuRequest> {
  if (typeof value === 'number' && Number.isInteger(value)) value = String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    return refuse('validation_failed', `${field}: a GPU request is a string such as "1", "h100", "2:h100" or "nvidia:24Gi"`, { field });
  }
  const parts = value.trim().toLowerCase().split(':');
  const bad = () =>
    refuse<GpuRequest>('validation_failed', `${field}: "${String(value)}" is not a GPU request; use COUNT, MODEL, COUNT:MODEL, MODEL:MEMORY or COUNT:MODEL:MEMORY`, {
      field,
      hint: 'examples: 4, h100, 2:h100, a100:80Gi, nvidia:24Gi, 2:h100|a100',
    });
  if (parts.length > 3) return bad();
  let count = 1;
  let rest = parts;
  if (COUNT_RE.test(rest[0] ?? '')) {
    count = Number(rest[0]);
    rest = rest.slice(1);
  } else if (/^\d+$/.test(rest[0] ?? '')) {
    return refuse('validation_failed', `${field}: a GPU count is between 1 and 999`, { field });
  }
  let selector: string | undefined;
  let memory: string | undefined;
  if (rest.length === 2) [selector, memory] = rest;
  else if (rest.length === 1) {
    if (/^\d/.test(rest[0] ?? '')) memory = rest[0];
    else selector = rest[0];
  } else if (rest.length > 2) return bad();
  const out: { count: number; models?: string[]; vendor?: GpuVendor; minMemoryBytes?: number } = { count };
  if (selector !== undefined) {
    const names = selector.split(/[|,]/).map((s) => s.trim());
    if (names.some((n) => !NAME_RE.test(n))) return bad();
    if (names.length === 1 && (GPU_VENDORS as readonly string[]).includes(names[0] ?? '')) out.vendor = names[0] as GpuVendor;
    else out.models = [...new Set(names)];
  }
  if (memory !== undefined) {
    // Sizes keep their unit's case (Gi, not gi).
    const original = String(value).trim().split(':').at(-1) ?? '';
    const bytes = parseBytes(original, field);
    if (!bytes.ok) return bytes;
    out.minMemoryBytes = bytes.value;
  }
  return ok(out);
}

/** True when `device` satisfies the model, vendor and memory parts of `request` (not count or mode). */
export function gpuMatches(device: GpuDevice, request: GpuRequest): boolean {
  if (request.vendor && device.vendor !== request.vendor) return false;
  if (request.minMemoryBytes !== undefined && (device.memoryBytes ?? 0) < request.minMemoryBytes) return false;
  if (request.models) {
    const model = device.model?.toLowerCase();
    const name = device.name?.toLowerCase() ?? '';
    return request.models.some((m) => m === model || new RegExp(`(^|[^a-z0-9])${escapeRe(m)}([^a-z0-9]|$)`).test(name));
  }
  return true;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
