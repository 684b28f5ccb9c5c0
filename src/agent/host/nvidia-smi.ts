import type { HostView } from './host-view.js';

/** How long the agent waits for nvidia-smi (a hung driver must not hang the probe). */
export const NVIDIA_SMI_TIMEOUT_MS = 10_000;

/** The fields asked of `nvidia-smi --query-gpu`, in this order. */
export const NVIDIA_SMI_FIELDS = ['pci.bus_id', 'uuid', 'name', 'memory.total', 'driver_version'] as const;

/** The arguments of the query the agent runs. */
export const NVIDIA_SMI_QUERY_ARGS = [`--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`, '--format=csv,noheader,nounits'] as const;

/** One GPU as nvidia-smi describes it. */
export interface NvidiaSmiGpu {
  /** PCI address in sysfs form (`0000:17:00.0`). */
  readonly pciAddress: string;
  readonly uuid: string;
  readonly name: string;
  readonly memoryBytes: number;
}

/** What nvidia-smi said, or why it could not say it. */
export type NvidiaSmiAnswer =
  | { readonly ok: true; readonly gpus: readonly NvidiaSmiGpu[]; readonly driverVersion?: string; readonly cudaVersion?: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Asks nvidia-smi for every GPU the NVIDIA driver drives, then (from its summary
 * header) for the CUDA version the driver supports. Any failure, including output
 * it cannot read, is a `problem` in words; it never throws for a broken tool.
 */
export async function askNvidiaSmi(view: HostView): Promise<NvidiaSmiAnswer> {
  const result = await view.run('nvidia-smi', NVIDIA_SMI_QUERY_ARGS, NVIDIA_SMI_TIMEOUT_MS);
  if (!result) return { ok: false, problem: 'nvidia-smi: not found or cannot be started' };
  if (result.timedOut) return { ok: false, problem: `nvidia-smi: no answer within ${NVIDIA_SMI_TIMEOUT_MS / 1000}s` };
  if (result.code !== 0) {
    const said = firstLine(result.stderr) || firstLine(result.stdout) || 'no output';
    return { ok: false, problem: `nvidia-smi exited with code ${result.code}: ${said}` };
  }
  const gpus: NvidiaSmiGpu[] = [];
  let driverVersion: string | undefined;
  for (const line of result.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const cells = line.split(',').map((c) => c.trim());
    const [bus, uuid, name, memoryMiB, driver] = cells;
    const address = bus === undefined ? undefined : sysfsAddress(bus);
    if (cells.length !== NVIDIA_SMI_FIELDS.length || !address || !uuid || !name || !/^\d+$/.test(memoryMiB ?? '')) {
      return { ok: false, problem: `nvidia-smi: unexpected output line "${line}"` };
    }
    gpus.push({ pciAddress: address, uuid, name, memoryBytes: Number(memoryMiB) * 2 ** 20 });
    driverVersion ??= driver;
  }
  const summary = await view.run('nvidia-smi', [], NVIDIA_SMI_TIMEOUT_MS);
  const cuda = summary && summary.code === 0 ? /CUDA Version:\s*([0-9]+(?:\.[0-9]+)*)/.exec(summary.stdout)?.[1] : undefined;
  return { ok: true, gpus, driverVersion, cudaVersion: cuda };
}

/** nvidia-smi's `00000000:17:00.0` as sysfs writes it, `0000:17:00.0`; undefined when it is not an address. */
export function sysfsAddress(busId: string): string | undefined {
  const m = /^([0-9a-f]{4,8}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(busId.trim());
  if (!m) return undefined;
  const [, domain, bus, device, fn] = m as unknown as [string, string, string, string, string];
  return `${domain.slice(-4)}:${bus}:${device}.${fn}`.toLowerCase();
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
}
