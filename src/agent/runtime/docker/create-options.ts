import type { ContainerCreateOptions, DeviceRequest } from 'dockerode';
import type { GpuDevice } from '../../../api/gpu.js';
import { RuntimeError, type LaunchSpec } from '../driver.js';
import { pinnedReference } from './image-reference.js';

/**
 * The Docker create body for one launch. Pure: the same spec always gives the
 * same body, so two workloads that resolved to the same class get byte-identical
 * launch configuration (field case 9).
 *
 * - `HostConfig.Runtime` is always `spec.runtime`; an empty runtime is a
 *   programming error and throws a plain `Error` (field case 8: a daemon's default
 *   runtime must never decide).
 * - `command` replaces the image's entrypoint (and drops its cmd), `args` replace
 *   its cmd; an empty list counts as unset.
 * - A digest pins the image: the container is created from `repository@digest`.
 * - Network: `none` → no network, `unrestricted` → the default bridge,
 *   `restricted-egress` → `restrictedNetwork` (see restricted-network.ts).
 * - GPUs: NVIDIA GPUs on the host driver, requested by device id; any other GPU
 *   is refused with a {@link RuntimeError} (`gpu_attach_failed`).
 */
export function createOptions(spec: LaunchSpec, restrictedNetwork: string): ContainerCreateOptions {
  if (typeof spec.runtime !== 'string' || spec.runtime.trim() === '') {
    throw new Error(`LaunchSpec.runtime is empty for ${spec.name}: the runtime must be named on every create`);
  }
  const image = pinnedReference(spec.image.uri, spec.image.digest);
  if (image === undefined) {
    throw new RuntimeError('create', spec.name, 'image_pull_failed', `${spec.image.uri} carries a different digest than ${spec.image.digest ?? ''}`);
  }
  const deviceRequests = spec.gpus && spec.gpus.length > 0 ? [gpuRequest(spec.name, spec.gpus)] : undefined;
  return {
    name: spec.name,
    Image: image,
    ...(spec.command && spec.command.length > 0 ? { Entrypoint: [...spec.command] } : {}),
    ...(spec.args && spec.args.length > 0 ? { Cmd: [...spec.args] } : {}),
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...spec.labels },
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      Runtime: spec.runtime,
      NetworkMode: networkMode(spec.network, restrictedNetwork),
      ...(spec.cpuMillis !== undefined ? { NanoCpus: Math.round(spec.cpuMillis * 1_000_000) } : {}),
      // Swap equal to memory: the limit is the limit (no extra swap behind it).
      ...(spec.memoryBytes !== undefined ? { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes } : {}),
      ...(deviceRequests ? { DeviceRequests: deviceRequests } : {}),
    },
  };
}

function networkMode(network: LaunchSpec['network'], restrictedNetwork: string): string {
  switch (network) {
    case 'none':
      return 'none';
    case 'unrestricted':
      return 'bridge';
    case 'restricted-egress':
      return restrictedNetwork;
  }
}

function gpuRequest(container: string, gpus: readonly GpuDevice[]): DeviceRequest {
  for (const gpu of gpus) {
    if (gpu.mode !== 'host-driver' || gpu.vendor !== 'nvidia' || gpu.id.startsWith('pci-')) {
      throw new RuntimeError(
        'create',
        container,
        'gpu_attach_failed',
        `GPU ${gpu.id} (${gpu.vendor}, ${gpu.mode}) cannot be handed to a container: only NVIDIA GPUs on the host driver with a driver-given UUID can`,
      );
    }
  }
  return { Driver: 'nvidia', DeviceIDs: gpus.map((gpu) => gpu.id), Capabilities: [['gpu']] };
}
