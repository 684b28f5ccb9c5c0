import type { GpuDevice, GpuMode, GpuVendor } from '../../api/gpu.js';
import type { HostCheck } from '../../api/node.js';
import { GPU_CHECK } from './check-names.js';
import { knownGpuModel, modelFromName } from './gpu-models.js';
import type { HostView } from './host-view.js';
import { askNvidiaSmi, type NvidiaSmiAnswer, type NvidiaSmiGpu } from './nvidia-smi.js';

/** Where PCI functions are listed. */
export const SYS_PCI_DEVICES = '/sys/bus/pci/devices';

/** PCI classes (class and subclass) that are GPUs: VGA, 3D controller, other display controller. */
const GPU_CLASSES = new Set([0x0300, 0x0302, 0x0380]);
const VENDORS: Readonly<Record<string, GpuVendor>> = { '0x10de': 'nvidia', '0x1002': 'amd', '0x8086': 'intel' };
const HOST_DRIVERS: Readonly<Record<GpuVendor, readonly string[]>> = { nvidia: ['nvidia'], amd: ['amdgpu'], intel: ['i915', 'xe'] };
const VFIO_DRIVER = 'vfio-pci';

/** What GPU discovery found: the GPUs offered, checks for the ones that are not, and host attributes. */
export interface GpuDiscovery {
  readonly gpus: readonly GpuDevice[];
  /** `gpu.*` checks: problems found while looking; they never decide `verified`. */
  readonly checks: readonly HostCheck[];
  /** `cuda` and `nvidia.driver` where nvidia-smi answered. */
  readonly attributes: Readonly<Record<string, string>>;
}

interface PciGpu {
  readonly address: string;
  readonly vendor: GpuVendor;
  readonly vendorId: string;
  readonly deviceId: string;
  readonly driver?: string;
}

/**
 * Finds GPUs in `/sys/bus/pci/devices` and the mode each one can be offered in: bound to
 * its vendor driver → `host-driver`, bound to vfio-pci → `vfio`, anything else → not
 * offered (a failed `gpu.driver[ADDR]` check says why). Each PCI function is reported
 * at most once, in the one mode its binding gives (field case 17). NVIDIA GPUs on the
 * host driver are described by nvidia-smi (UUID as id, name, memory; a board the
 * known-model table names reports the memory it is sold with, in both modes, so
 * `h100:80Gi` matches an H100 80GB whatever nvidia-smi rounds it to); when nvidia-smi
 * fails they are dropped and `gpu.nvidia-smi` fails, while other GPUs are still
 * reported (field case 14). Other GPUs are named from the known-model table; one it
 * cannot name is reported by PCI ids with `named: false` and a failed
 * `gpu.model[ADDR]` check (field case 20).
 */
export async function discoverGpus(view: HostView): Promise<GpuDiscovery> {
  const found = await scanPci(view);
  const checks: HostCheck[] = [];
  const gpus: GpuDevice[] = [];
  const attributes: Record<string, string> = {};
  const nvidiaOnDriver = found.filter((g) => g.vendor === 'nvidia' && modeOf(g) === 'host-driver');
  let smi: NvidiaSmiAnswer | undefined;
  if (nvidiaOnDriver.length > 0) {
    smi = await askNvidiaSmi(view);
    if (smi.ok) {
      if (smi.driverVersion) attributes['nvidia.driver'] = smi.driverVersion;
      if (smi.cudaVersion) attributes.cuda = smi.cudaVersion;
      const cuda = smi.cudaVersion ? `CUDA ${smi.cudaVersion}` : 'CUDA version not shown';
      checks.push({ name: GPU_CHECK.nvidiaSmi, ok: true, detail: `nvidia-smi (driver ${smi.driverVersion ?? 'unknown'}, ${cuda}) lists ${smi.gpus.length} GPU(s)` });
    } else {
      const which = nvidiaOnDriver.map((g) => g.address).join(', ');
      checks.push({ name: GPU_CHECK.nvidiaSmi, ok: false, detail: `${smi.problem}; NVIDIA GPUs on the host driver not offered: ${which}` });
    }
  }
  for (const pci of found) {
    const mode = modeOf(pci);
    const label = `GPU ${pci.address} (${pci.vendor} ${pci.vendorId}:${pci.deviceId})`;
    if (!mode) {
      const bound = pci.driver ? `bound to ${pci.driver}, which idyl cannot hand to workloads` : 'bound to no driver';
      const fix = `bind it to ${HOST_DRIVERS[pci.vendor].join(' or ')} for containers, or to ${VFIO_DRIVER} for microVMs`;
      checks.push({ name: GPU_CHECK.driver(pci.address), ok: false, detail: `${label}: ${bound}; not offered (${fix})` });
      continue;
    }
    let device: GpuDevice;
    if (pci.vendor === 'nvidia' && mode === 'host-driver') {
      if (!smi?.ok) continue;
      const row = smi.gpus.find((r) => r.pciAddress === pci.address);
      if (!row) {
        checks.push({ name: GPU_CHECK.driver(pci.address), ok: false, detail: `${label}: bound to nvidia but nvidia-smi does not list it; not offered` });
        continue;
      }
      device = fromNvidiaSmi(pci, row);
    } else {
      device = await fromPciIds(view, pci, mode);
    }
    if (!device.named) {
      checks.push({ name: GPU_CHECK.model(pci.address), ok: false, detail: `${label}: model unknown to this agent; offered in ${mode} mode by PCI ids only` });
    }
    gpus.push(device);
  }
  return { gpus, checks, attributes };
}

async function scanPci(view: HostView): Promise<PciGpu[]> {
  const out: PciGpu[] = [];
  for (const address of [...(await view.list(SYS_PCI_DEVICES))].sort()) {
    const dir = `${SYS_PCI_DEVICES}/${address}`;
    const pciClass = parseInt((await view.readFile(`${dir}/class`))?.trim() ?? '', 16);
    if (!GPU_CLASSES.has(pciClass >> 8)) continue;
    const vendorId = normaliseId(await view.readFile(`${dir}/vendor`));
    const vendor = vendorId === undefined ? undefined : VENDORS[vendorId];
    const deviceId = normaliseId(await view.readFile(`${dir}/device`));
    if (!vendor || !vendorId || !deviceId) continue;
    const link = await view.readLink(`${dir}/driver`);
    const driver = link?.split('/').filter(Boolean).at(-1);
    out.push({ address: address.toLowerCase(), vendor, vendorId, deviceId, driver });
  }
  return out;
}

function modeOf(pci: PciGpu): GpuMode | undefined {
  if (pci.driver === VFIO_DRIVER) return 'vfio';
  if (pci.driver && HOST_DRIVERS[pci.vendor].includes(pci.driver)) return 'host-driver';
  return undefined;
}

function fromNvidiaSmi(pci: PciGpu, row: NvidiaSmiGpu): GpuDevice {
  const known = knownGpuModel(pci.vendorId, pci.deviceId);
  const model = known?.model ?? modelFromName(row.name);
  // A known board reports the memory it is sold with, as it does in vfio mode: nvidia-smi
  // shows an H100 80GB as 81559 MiB, which would fail a workload asking `h100:80Gi`.
  const memoryBytes = known ? Math.max(known.memoryGiB * 2 ** 30, row.memoryBytes) : row.memoryBytes;
  return {
    id: row.uuid,
    vendor: pci.vendor,
    vendorId: pci.vendorId,
    deviceId: pci.deviceId,
    pciAddress: pci.address,
    ...(model !== undefined && { model }),
    name: row.name,
    memoryBytes,
    mode: 'host-driver',
    named: model !== undefined,
  };
}

async function fromPciIds(view: HostView, pci: PciGpu, mode: GpuMode): Promise<GpuDevice> {
  const known = knownGpuModel(pci.vendorId, pci.deviceId);
  // amdgpu publishes the board's memory in sysfs, which beats the table.
  const vram = mode === 'host-driver' && pci.vendor === 'amd' ? Number((await view.readFile(`${SYS_PCI_DEVICES}/${pci.address}/mem_info_vram_total`))?.trim()) : NaN;
  const memoryBytes = Number.isSafeInteger(vram) && vram > 0 ? vram : known ? known.memoryGiB * 2 ** 30 : undefined;
  return {
    id: `pci-${pci.address}`,
    vendor: pci.vendor,
    vendorId: pci.vendorId,
    deviceId: pci.deviceId,
    pciAddress: pci.address,
    ...(known && { model: known.model, name: known.name }),
    ...(memoryBytes !== undefined && { memoryBytes }),
    mode,
    named: known !== undefined,
  };
}

function normaliseId(text: string | undefined): string | undefined {
  const m = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(text?.trim() ?? '');
  return m ? `0x${(m[1] as string).toLowerCase().padStart(4, '0')}` : undefined;
}
