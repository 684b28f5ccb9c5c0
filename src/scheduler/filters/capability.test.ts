import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CapabilityReport } from '../../api/node.js';
import { gpuDevice, nodeView, podToPlace, runFilter, verifiedReport } from '../test-support.js';
import { capabilityFilter } from './capability.js';

const pod = podToPlace('p', 'container');
const corrupt = (r: unknown) => r as CapabilityReport;

describe('capabilityFilter (check 3): fails closed on any report it cannot trust', () => {
  const ROWS: Array<[name: string, report: CapabilityReport | undefined, declared: string | undefined, detail: RegExp | undefined]> = [
    ['a verified, consistent report', verifiedReport('docker'), 'docker', undefined],
    ['no report yet', undefined, 'docker', /has not sent a capability report/],
    ['report not verified, failed checks named', { ...verifiedReport('containerd-kata-qemu'), verified: false, checks: [{ name: '/dev/kvm', ok: false, detail: 'missing' }, { name: 'kata-shim', ok: false, detail: 'missing' }] }, 'containerd-kata-qemu', /host checks failed: \/dev\/kvm, kata-shim/],
    ['not verified without failed checks', { ...verifiedReport('docker'), verified: false }, 'docker', /have not passed/],
    ['claims verified with a failed check', { ...verifiedReport('docker'), checks: [{ name: 'engine', ok: false, detail: 'down' }] }, 'docker', /claims verified but host checks failed: engine/],
    // GPU checks never decide `verified` (field cases 14, 17, 20): a GPU not offered or not named leaves the node trusted.
    ['verified with failed gpu.* checks only', { ...verifiedReport('docker'), checks: [{ name: 'gpu.driver[0000:41:00.0]', ok: false, detail: 'bound to nouveau' }, { name: 'gpu.model[0000:0b:00.0]', ok: false, detail: 'model unknown' }] }, 'docker', undefined],
    ['claims verified with a failed check beside a gpu.* one', { ...verifiedReport('docker'), checks: [{ name: 'gpu.nvidia-smi', ok: false, detail: 'hangs' }, { name: 'engine', ok: false, detail: 'down' }] }, 'docker', /claims verified but host checks failed: engine$/],
    ['unknown profile', corrupt({ ...verifiedReport('docker'), runtimeProfile: 'containerd-gvisor' }), undefined, /unknown runtime profile "containerd-gvisor"/],
    ['profile differs from the one joined with', verifiedReport('containerd-kata-qemu'), 'docker', /says profile containerd-kata-qemu but the node joined as docker/],
    ['unknown platform', corrupt({ ...verifiedReport('docker'), platform: 'linux/riscv64' }), 'docker', /unknown platform/],
    ['capacity missing', corrupt({ ...verifiedReport('docker'), capacity: undefined }), 'docker', /no valid capacity/],
    ['capacity negative', corrupt({ ...verifiedReport('docker'), capacity: { cpuMillis: -1, memoryBytes: 1 } }), 'docker', /no valid capacity/],
    ['overhead malformed', corrupt({ ...verifiedReport('containerd-kata-qemu'), overhead: { cpuMillis: 'x' } }), undefined, /invalid microVM overhead/],
    ['engine that cannot serve the profile', { ...verifiedReport('containerd-runc'), engine: { name: 'docker', version: '20' } }, undefined, /engine "docker" cannot serve profile containerd-runc/],
    ['runtime absent from the live daemon', { ...verifiedReport('containerd-kata-qemu'), runtimes: ['io.containerd.runc.v2'] }, undefined, /does not offer runtime io.containerd.kata-qemu.v2/],
    ['attributes malformed', corrupt({ ...verifiedReport('docker'), attributes: 'cuda=13' }), undefined, /malformed attributes/],
    ['microvmGPU missing', corrupt({ ...verifiedReport('docker'), microvmGPU: undefined }), undefined, /microVM GPU path/],
    ['a GPU listed twice', { ...verifiedReport('docker'), gpus: [gpuDevice('g1', 'h100', 'host-driver'), gpuDevice('g1', 'h100', 'vfio')] }, undefined, /GPU g1 twice/],
    ['a GPU with an unknown mode', corrupt({ ...verifiedReport('docker'), gpus: [{ ...gpuDevice('g1', 'h100', 'host-driver'), mode: 'mdev' }] }), undefined, /malformed GPU/],
    ['not an object at all', corrupt('garbage'), undefined, /has not sent a capability report/],
    ['checks missing', corrupt({ ...verifiedReport('docker'), checks: undefined }), undefined, /no host checks/],
  ];
  for (const [name, report, declared, detail] of ROWS) {
    it(name, () => {
      const r = runFilter(capabilityFilter, nodeView('n1', 'docker', { report, declaredProfile: declared }), pod);
      if (detail === undefined) return assert.equal(r.reason, undefined);
      assert.equal(r.reason, 'capability_unverified');
      assert.match(r.detail ?? '', detail);
    });
  }
});
