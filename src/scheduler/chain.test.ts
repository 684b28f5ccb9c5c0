import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PLACEMENT_REASONS } from '../api/placement.js';
import { FILTER_CHAIN, INDEXABLE_STAGES } from './chain.js';
import { Scheduler } from './scheduler.js';
import { allocation, nodeView, podToPlace, verifiedReport } from './test-support.js';

describe('the filter chain', () => {
  it('checks in the order of isolation.md section 4, each reason once', () => {
    assert.deepEqual(
      FILTER_CHAIN.flatMap((f) => f.reasons),
      [...PLACEMENT_REASONS],
    );
  });

  it('indexes only by the stages up to the VMM backend check', () => {
    assert.deepEqual(FILTER_CHAIN.slice(0, INDEXABLE_STAGES).flatMap((f) => f.reasons).at(-1), 'vmm_backend_not_allowed');
  });

  it('a node failing many checks gets only the first one', () => {
    // Not admitted, disconnected, wrong class, wrong platform, full: the first wins.
    const report = verifiedReport('docker', { platform: 'linux/arm64', capacity: { cpuMillis: 100, memoryBytes: 1 } });
    const bad = { report, allocated: allocation({ cpuMillis: 100 }) };
    const nodes = [
      nodeView('n1', 'docker', { ...bad, admitted: false, connected: false }),
      nodeView('n2', 'docker', { ...bad, connected: false }),
      nodeView('n3', 'docker', { ...bad, report: undefined }),
      nodeView('n4', 'docker', bad),
    ];
    const pod = podToPlace('p', 'microvm', { platform: 'linux/amd64' });
    const verdicts = new Scheduler({ nodes }).evaluate(pod);
    assert.deepEqual(
      verdicts.map((v) => v.reason),
      ['node_not_admitted', 'node_disconnected', 'capability_unverified', 'isolation_class_unsupported'],
    );
    const container = new Scheduler({ nodes: [nodeView('n4', 'docker', bad)] }).evaluate(podToPlace('p', 'container', { platform: 'linux/amd64' }));
    assert.equal(container[0]?.reason, 'platform_mismatch');
  });
});
