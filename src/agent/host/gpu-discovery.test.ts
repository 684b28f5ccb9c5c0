import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gpuMatches, parseGpuRequest, type GpuDevice } from '../../api/gpu.js';
import { FixtureHostView } from './fixture-host-view.js';
import { discoverGpus } from './gpu-discovery.js';

const discover = (host: string) => discoverGpus(FixtureHostView.named(host));
const byAddress = (gpus: readonly GpuDevice[], address: string) => gpus.find((g) => g.pciAddress === address);
const GiB = 2 ** 30;

describe('GPU discovery', () => {
  test('GPUs on the NVIDIA driver come with UUID, name, memory and the CUDA version; a BMC VGA and a NIC are not GPUs', async () => {
    const { gpus, checks, attributes } = await discover('gpu-host-driver');
    assert.deepEqual(
      gpus.map((g) => [g.pciAddress, g.id, g.mode]),
      [
        ['0000:17:00.0', 'GPU-5e7d4c1a-0b3e-4c2a-9f61-1d2c3b4a5e6f', 'host-driver'],
        ['0000:65:00.0', 'GPU-a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', 'host-driver'],
      ],
    );
    assert.deepEqual(byAddress(gpus, '0000:17:00.0'), {
      id: 'GPU-5e7d4c1a-0b3e-4c2a-9f61-1d2c3b4a5e6f',
      vendor: 'nvidia',
      vendorId: '0x10de',
      deviceId: '0x2330',
      pciAddress: '0000:17:00.0',
      model: 'h100',
      name: 'NVIDIA H100 80GB HBM3',
      memoryBytes: 80 * GiB,
      mode: 'host-driver',
      named: true,
    });
    assert.deepEqual(attributes, { 'nvidia.driver': '550.54.15', cuda: '12.4' });
    const unknownBoard = (await discover('gpu-unnamed')).gpus.find((g) => g.pciAddress === '0000:0c:00.0');
    assert.equal(unknownBoard?.memoryBytes, 97887 * 2 ** 20, 'a board the table does not know keeps nvidia-smi\'s memory');
    assert.deepEqual(checks.map((c) => [c.name, c.ok]), [['gpu.nvidia-smi', true]]);
  });

  test('GPUs bound to vfio-pci are offered in vfio mode only, named from their PCI ids, without nvidia-smi', async () => {
    const { gpus, checks, attributes } = await discover('gpu-vfio');
    assert.deepEqual(
      gpus.map((g) => [g.id, g.mode, g.model, g.memoryBytes, g.named]),
      [
        ['pci-0000:4b:00.0', 'vfio', 'a100', 80 * GiB, true],
        ['pci-0000:ca:00.0', 'vfio', 'a100', 80 * GiB, true],
      ],
    );
    assert.deepEqual(checks, []);
    assert.deepEqual(attributes, {});
  });

  test('a mixed host reports each GPU once, in the mode its binding gives, even when nvidia-smi also lists a vfio GPU (field case 17)', async () => {
    const { gpus, checks } = await discover('gpu-mixed');
    assert.deepEqual(
      gpus.map((g) => [g.pciAddress, g.mode, g.model]),
      [
        ['0000:01:00.0', 'host-driver', 'l4'],
        ['0000:21:00.0', 'vfio', 'l40s'],
        ['0000:85:00.0', 'host-driver', 'mi300x'],
      ],
    );
    const vfio = byAddress(gpus, '0000:21:00.0');
    assert.equal(vfio?.id, 'pci-0000:21:00.0', 'a vfio GPU never takes the identity nvidia-smi gives a host-driver GPU');
    assert.equal(new Set(gpus.map((g) => g.id)).size, gpus.length);
    assert.equal(byAddress(gpus, '0000:85:00.0')?.memoryBytes, 192 * GiB, 'amdgpu memory comes from sysfs');
    const notOffered = checks.filter((c) => !c.ok);
    assert.deepEqual(notOffered.map((c) => c.name), ['gpu.driver[0000:41:00.0]', 'gpu.driver[0000:43:00.0]']);
    assert.match(notOffered[0]?.detail ?? '', /bound to no driver; not offered \(bind it to nvidia for containers, or to vfio-pci for microVMs\)/);
    assert.match(notOffered[1]?.detail ?? '', /bound to nouveau, which idyl cannot hand to workloads/);
  });

  test('a GPU the agent cannot name is still reported by PCI ids and flagged (field case 20)', async () => {
    const { gpus, checks } = await discover('gpu-unnamed');
    assert.deepEqual(byAddress(gpus, '0000:0a:00.0'), {
      id: 'pci-0000:0a:00.0',
      vendor: 'nvidia',
      vendorId: '0x10de',
      deviceId: '0x2f99',
      pciAddress: '0000:0a:00.0',
      mode: 'vfio',
      named: false,
    });
    const intel = byAddress(gpus, '0000:0b:00.0');
    assert.deepEqual([intel?.vendor, intel?.mode, intel?.named], ['intel', 'host-driver', false]);
    const byDriver = byAddress(gpus, '0000:0c:00.0');
    assert.deepEqual([byDriver?.model, byDriver?.named, byDriver?.id], ['rtx-pro-6000-blackwell-server-edition', true, 'GPU-abcdefab-cdef-4abc-8def-abcdefabcdef']);
    assert.deepEqual(
      checks.filter((c) => !c.ok).map((c) => c.name),
      ['gpu.model[0000:0a:00.0]', 'gpu.model[0000:0b:00.0]'],
    );
  });

  test('broken nvidia-smi drops the host-driver NVIDIA GPUs, keeps the vfio one, and says why (field case 14)', async () => {
    const { gpus, checks, attributes } = await discover('gpu-nvidia-smi-broken');
    assert.deepEqual(gpus.map((g) => [g.id, g.mode]), [['pci-0000:b3:00.0', 'vfio']]);
    assert.deepEqual(attributes, {}, 'no CUDA or driver version from a broken tool');
    assert.equal(checks.length, 1);
    assert.equal(checks[0]?.name, 'gpu.nvidia-smi');
    assert.equal(checks[0]?.ok, false);
    assert.match(checks[0]?.detail ?? '', /^nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\..*not offered: 0000:17:00\.0, 0000:65:00\.0$/);
  });

  test('nvidia-smi that hangs is cut off and reported as not answering', async () => {
    const { gpus, checks } = await discover('gpu-nvidia-smi-hangs');
    assert.equal(gpus.length, 1);
    assert.match(checks[0]?.detail ?? '', /^nvidia-smi: no answer within 10s/);
  });

  test('a host without GPUs reports none and no GPU checks', async () => {
    assert.deepEqual(await discover('docker-healthy'), { gpus: [], checks: [], attributes: {} });
  });

  test('a GPU asked as H100 matches a node\'s h100, and "a100|h100" matches either (field case 19)', async () => {
    const h100 = (await discover('gpu-host-driver')).gpus[0];
    const a100 = (await discover('gpu-vfio')).gpus[0];
    assert.ok(h100 && a100);
    const upper = parseGpuRequest('H100', 'gpu');
    assert.ok(upper.ok);
    assert.equal(gpuMatches(h100, upper.value), true);
    assert.equal(gpuMatches(a100, upper.value), false);
    const sized = parseGpuRequest('h100:80Gi', 'gpu');
    assert.ok(sized.ok);
    assert.equal(gpuMatches(h100, sized.value), true, 'an H100 80GB on the host driver is an 80Gi H100');
    const either = parseGpuRequest('2:a100|h100', 'gpu');
    assert.ok(either.ok);
    assert.equal(gpuMatches(h100, either.value) && gpuMatches(a100, either.value), true);
  });
});
