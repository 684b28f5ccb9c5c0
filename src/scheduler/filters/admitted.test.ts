import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodeView, podToPlace, runFilter } from '../test-support.js';
import { admittedFilter } from './admitted.js';
import { connectedFilter } from './connected.js';

describe('admittedFilter and connectedFilter (checks 1 and 2)', () => {
  const pod = podToPlace('p', 'container');
  const ROWS: Array<[name: string, admitted: boolean, connected: boolean, check1: string | undefined, check2: string | undefined]> = [
    ['admitted and connected', true, true, undefined, undefined],
    ['not admitted', false, true, 'node_not_admitted', undefined],
    ['disconnected', true, false, undefined, 'node_disconnected'],
    ['neither', false, false, 'node_not_admitted', 'node_disconnected'],
  ];
  for (const [name, admitted, connected, check1, check2] of ROWS) {
    it(name, () => {
      const node = nodeView('n1', 'docker', { admitted, connected });
      assert.equal(runFilter(admittedFilter, node, pod).reason, check1);
      assert.equal(runFilter(connectedFilter, node, pod).reason, check2);
    });
  }

  it('says what is wrong in words', () => {
    assert.match(runFilter(admittedFilter, nodeView('n1', 'docker', { admitted: false }), pod).detail ?? '', /not admitted/);
    assert.match(runFilter(connectedFilter, nodeView('n1', 'docker', { connected: false }), pod).detail ?? '', /no heartbeat/);
  });
});
