import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../../api/isolation.js';
import { nodeView, podToPlace, runFilter, verifiedReport } from '../test-support.js';
import { platformFilter } from './platform.js';

describe('platformFilter (check 6)', () => {
  const ROWS: Array<[node: Platform, asked: string | undefined, expected: string | undefined]> = [
    ['linux/amd64', undefined, undefined],
    ['linux/arm64', undefined, undefined],
    ['linux/amd64', 'linux/amd64', undefined],
    ['linux/amd64', 'linux/arm64', 'platform_mismatch'],
    ['linux/arm64', 'linux/amd64', 'platform_mismatch'],
    ['linux/amd64', 'windows/amd64', 'platform_mismatch'],
  ];
  for (const [platform, asked, expected] of ROWS) {
    it(`node ${platform}, pod asks ${asked ?? 'nothing'}: ${expected ?? 'eligible'}`, () => {
      const node = nodeView('n1', 'docker', { report: verifiedReport('docker', { platform }) });
      const r = runFilter(platformFilter, node, podToPlace('p', 'container', asked ? { platform: asked } : {}));
      assert.equal(r.reason, expected);
      if (expected) assert.equal(r.detail, `the node is ${platform}`);
    });
  }
});
