/** A GPU model the agent can name from its PCI ids alone. */
export interface KnownGpuModel {
  /** Short lower-case model, as workloads ask for it (`h100`). */
  readonly model: string;
  /** Product name for people. */
  readonly name: string;
  /** Memory of this board, in GiB as sold. */
  readonly memoryGiB: number;
}

/**
 * Data-centre GPUs by `vendorId:deviceId` (lower-case hex, `0x` prefixed), from the
 * public PCI ID database. Used for GPUs that no vendor tool describes (vfio-bound,
 * or a vendor without a query tool here). A device missing from this table is still
 * reported, by ids, with `named: false` (field case 20).
 */
export const KNOWN_GPU_MODELS: Readonly<Record<string, KnownGpuModel>> = {
  '0x10de:0x2335': { model: 'h200', name: 'NVIDIA H200 SXM 141GB', memoryGiB: 141 },
  '0x10de:0x233b': { model: 'h200', name: 'NVIDIA H200 NVL', memoryGiB: 141 },
  '0x10de:0x2330': { model: 'h100', name: 'NVIDIA H100 SXM5 80GB', memoryGiB: 80 },
  '0x10de:0x2331': { model: 'h100', name: 'NVIDIA H100 PCIe', memoryGiB: 80 },
  '0x10de:0x2321': { model: 'h100', name: 'NVIDIA H100 NVL', memoryGiB: 94 },
  '0x10de:0x20b0': { model: 'a100', name: 'NVIDIA A100 SXM4 40GB', memoryGiB: 40 },
  '0x10de:0x20f1': { model: 'a100', name: 'NVIDIA A100 PCIe 40GB', memoryGiB: 40 },
  '0x10de:0x20b2': { model: 'a100', name: 'NVIDIA A100 SXM4 80GB', memoryGiB: 80 },
  '0x10de:0x20b5': { model: 'a100', name: 'NVIDIA A100 PCIe 80GB', memoryGiB: 80 },
  '0x10de:0x26b9': { model: 'l40s', name: 'NVIDIA L40S', memoryGiB: 48 },
  '0x10de:0x26b5': { model: 'l40', name: 'NVIDIA L40', memoryGiB: 48 },
  '0x10de:0x27b8': { model: 'l4', name: 'NVIDIA L4', memoryGiB: 24 },
  '0x10de:0x2235': { model: 'a40', name: 'NVIDIA A40', memoryGiB: 48 },
  '0x10de:0x2236': { model: 'a10', name: 'NVIDIA A10', memoryGiB: 24 },
  '0x10de:0x2237': { model: 'a10g', name: 'NVIDIA A10G', memoryGiB: 24 },
  '0x10de:0x1eb8': { model: 't4', name: 'NVIDIA T4', memoryGiB: 16 },
  '0x1002:0x74a1': { model: 'mi300x', name: 'AMD Instinct MI300X', memoryGiB: 192 },
  '0x1002:0x740f': { model: 'mi210', name: 'AMD Instinct MI210', memoryGiB: 64 },
};

/** The known model for PCI ids (any case, with or without `0x`), or undefined. */
export function knownGpuModel(vendorId: string, deviceId: string): KnownGpuModel | undefined {
  const key = `${hex(vendorId)}:${hex(deviceId)}`;
  return Object.hasOwn(KNOWN_GPU_MODELS, key) ? KNOWN_GPU_MODELS[key] : undefined;
}

const NAME_MODELS = ['gh200', 'h200', 'h100', 'h800', 'b200', 'a100', 'a800', 'l40s', 'l40', 'l4', 'a40', 'a30', 'a10g', 'a10', 't4', 'v100'];

/**
 * A short model from a product name a driver reports ("NVIDIA H100 80GB HBM3" → `h100`).
 * A name that carries none of the known models becomes a slug of itself
 * ("NVIDIA GeForce RTX 4090" → `geforce-rtx-4090`): named by the driver, if not by idyl.
 */
export function modelFromName(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const m of NAME_MODELS) {
    if (new RegExp(`(^|[^a-z0-9])${m}([^a-z0-9]|$)`).test(lower)) return m;
  }
  const slug = lower
    .replace(/^(nvidia|amd|intel)\s+/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return slug || undefined;
}

function hex(id: string): string {
  const bare = id.trim().toLowerCase().replace(/^0x/, '');
  return `0x${bare.padStart(4, '0')}`;
}
