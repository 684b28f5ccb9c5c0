import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeProfile } from '../../api/isolation.js';
import { GIB, MIB, allocation, nodeView, podToPlace, runFilter, verifiedReport } from '../test-support.js';
import { resourcesFilter } from './resources.js';

type Row = [name: string, profile: RuntimeProfile, cls: string, capacity: [cpu: number, mem: number], used: [cpu: number, mem: number], request: [cpu: number, mem: number], expected: string | undefined, overhead?: [number, number]];

describe('resourcesFilter (check 7): request plus class overhead must fit what is free', () => {
  const ROWS: Row[] = [
    ['container fits exactly', 'docker', 'container', [2000, 2 * GIB], [1000, 1 * GIB], [1000, 1 * GIB], undefined],
    ['container one milli too many', 'docker', 'container', [2000, 2 * GIB], [1000, 1 * GIB], [1001, 1 * GIB], 'insufficient_cpu'],
    ['container one byte too many', 'docker', 'container', [2000, 2 * GIB], [1000, 1 * GIB], [1000, 1 * GIB + 1], 'insufficient_memory'],
    ['cpu is checked before memory', 'docker', 'container', [2000, 2 * GIB], [2000, 2 * GIB], [1, 1], 'insufficient_cpu'],
    ['qemu microvm: request fits but overhead does not (memory)', 'containerd-kata-qemu', 'microvm', [8000, 2 * GIB], [0, 1 * GIB], [500, 900 * MIB], 'insufficient_memory'],
    ['qemu microvm: 160Mi overhead counted exactly', 'containerd-kata-qemu', 'microvm', [8000, 1 * GIB], [0, 0], [500, 1024 * MIB - 160 * MIB], undefined],
    ['qemu microvm: one byte over with overhead', 'containerd-kata-qemu', 'microvm', [8000, 1 * GIB], [0, 0], [500, 1024 * MIB - 160 * MIB + 1], 'insufficient_memory'],
    ['firecracker microvm: 130Mi overhead', 'containerd-kata-firecracker', 'microvm', [8000, 1 * GIB], [0, 0], [500, 1024 * MIB - 130 * MIB], undefined],
    ['firecracker microvm: 131Mi would not fit', 'containerd-kata-firecracker', 'microvm', [8000, 1 * GIB], [0, 0], [500, 1024 * MIB - 129 * MIB], 'insufficient_memory'],
    ['microvm: 250m cpu overhead', 'containerd-kata-qemu', 'microvm', [1000, 8 * GIB], [0, 0], [751, 1 * MIB], 'insufficient_cpu'],
    ['microvm: 250m cpu overhead counted exactly', 'containerd-kata-qemu', 'microvm', [1000, 8 * GIB], [0, 0], [750, 1 * MIB], undefined],
    ['per-node overhead replaces the default', 'containerd-kata-qemu', 'microvm', [1000, 8 * GIB], [0, 0], [900, 1 * MIB], undefined, [100, 64 * MIB]],
    ['per-node overhead can be larger', 'containerd-kata-qemu', 'microvm', [1000, 8 * GIB], [0, 0], [500, 1 * MIB], 'insufficient_cpu', [600, 64 * MIB]],
    ['zero request on a full node fits', 'docker', 'container', [1000, 1 * GIB], [1000, 1 * GIB], [0, 0], undefined],
  ];
  for (const [name, profile, cls, [capCpu, capMem], [usedCpu, usedMem], [cpu, mem], expected, overhead] of ROWS) {
    it(name, () => {
      const report = verifiedReport(profile, { capacity: { cpuMillis: capCpu, memoryBytes: capMem }, ...(overhead ? { overhead: { cpuMillis: overhead[0], memoryBytes: overhead[1] } } : {}) });
      const node = nodeView('n1', profile, { report, allocated: allocation({ cpuMillis: usedCpu, memoryBytes: usedMem }) });
      const r = runFilter(resourcesFilter, node, podToPlace('p', cls, { requests: { cpuMillis: cpu, memoryBytes: mem } }));
      assert.equal(r.reason, expected);
    });
  }

  it('explains the overhead in the detail', () => {
    const report = verifiedReport('containerd-kata-qemu', { capacity: { cpuMillis: 8000, memoryBytes: 2 * GIB } });
    const node = nodeView('n1', 'containerd-kata-qemu', { report, allocated: allocation({ memoryBytes: 1 * GIB }) });
    const r = runFilter(resourcesFilter, node, podToPlace('p', 'microvm', { requests: { cpuMillis: 500, memoryBytes: 900 * MIB } }));
    assert.equal(r.detail, 'needs 1.0Gi memory (900Mi + 160Mi microVM overhead), 1Gi free');
  });

  it('treats an unreadable allocation as a full node', () => {
    const node = nodeView('n1', 'docker', { allocated: allocation({ cpuMillis: Number.NaN }) });
    assert.equal(runFilter(resourcesFilter, node, podToPlace('p', 'container')).reason, 'insufficient_cpu');
  });
});
