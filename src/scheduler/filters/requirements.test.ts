import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodeView, podToPlace, runFilter, verifiedReport } from '../test-support.js';
import { requirementsFilter } from './requirements.js';

describe('requirementsFilter (check 9): host requirements', () => {
  const node = nodeView('n1', 'docker', { report: verifiedReport('docker', { kernel: '6.1.0-18-amd64', attributes: { cuda: '12.4', os: 'debian' } }) });
  const ROWS: Array<[require: Record<string, string> | undefined, expected: string | undefined, detail?: string]> = [
    [undefined, undefined],
    [{ cuda: '>=12.0' }, undefined],
    [{ cuda: '>=13.0' }, 'requirement_unmet', 'requires cuda >=13.0; the node has cuda 12.4'],
    [{ os: 'debian' }, undefined],
    [{ os: 'ubuntu' }, 'requirement_unmet', 'requires os =ubuntu; the node has os debian'],
    [{ kernel: '>=6.1' }, undefined],
    [{ kernel: '>=6.6' }, 'requirement_unmet', 'requires kernel >=6.6; the node has kernel 6.1.0-18-amd64'],
    [{ rdma: 'true' }, 'requirement_unmet', 'requires rdma =true; the node does not report rdma'],
    // Key order decides which one is named first.
    [{ os: 'ubuntu', cuda: '>=13.0' }, 'requirement_unmet', 'requires cuda >=13.0; the node has cuda 12.4'],
    [{ cuda: '>=nope' }, 'requirement_unmet'],
  ];
  for (const [require, expected, detail] of ROWS) {
    it(`${JSON.stringify(require ?? {})}: ${expected ?? 'met'}`, () => {
      const r = runFilter(requirementsFilter, node, podToPlace('p', 'container', require ? { require } : {}));
      assert.equal(r.reason, expected);
      if (detail) assert.equal(r.detail, detail);
    });
  }

  it('a require map that does not parse fails closed and says why', () => {
    const r = runFilter(requirementsFilter, node, podToPlace('p', 'container', { require: { cuda: '>=nope' } }));
    assert.match(r.detail ?? '', /do not parse: spec.require.cuda/);
  });
});
