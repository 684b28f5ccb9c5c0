import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../api/event.js';
import { classifyChanges } from './change-feed.js';

let revision = 0;
const event = (type: string, kind: string, id: string, data?: Record<string, unknown>): EventRecord => ({
  revision: ++revision,
  at: '2026-01-01T00:00:00.000Z',
  type,
  subject: { kind, id },
  message: type,
  ...(data ? { data } : {}),
});

describe('classifyChanges: what the planner must look at again', () => {
  it('new pods are fresh; a Deployment created is not (its pods come with their own events)', () => {
    const c = classifyChanges([event('workload.created', 'Pod', 'p1'), event('workload.created', 'Deployment', 'd1'), event('workload.created', 'Pod', 'p2')], new Set());
    assert.deepEqual(c, { fresh: ['p1', 'p2'], world: false });
  });

  it("a pod's own progress and the planner's own placements change nothing", () => {
    const quiet = [event('workload.scheduled', 'Pod', 'mine'), event('pod.assigned', 'Pod', 'mine'), event('pod.pulling', 'Pod', 'mine'), event('pod.running', 'Pod', 'mine'), event('workload.unschedulable', 'Pod', 'x')];
    assert.deepEqual(classifyChanges(quiet, new Set(['mine'])), { fresh: [], world: false });
  });

  it('a placement made by someone else (another replica) is a change: its snapshot did not assume it', () => {
    assert.equal(classifyChanges([event('workload.scheduled', 'Pod', 'theirs')], new Set(['mine'])).world, true);
  });

  for (const type of ['node.registered', 'node.connected', 'node.disconnected', 'node.capability_changed', 'node.removed', 'node.drained', 'pod.succeeded', 'pod.failed', 'pod.removed', 'workload.deleted', 'workload.rescheduled', 'subnet.policy_changed', 'workload.updated', 'some.future_event']) {
    it(`${type} is a change of the world`, () => {
      assert.equal(classifyChanges([event('workload.created', 'Pod', 'p'), event(type, 'x', 'y')], new Set()).world, true);
    });
  }

  it('admission and policy decisions are changes; token use, refusals and log reads are not', () => {
    assert.equal(classifyChanges([event('audit', 'audit', 's', { action: 'admission.developer.grant', allowed: true })], new Set()).world, true);
    assert.equal(classifyChanges([event('audit', 'audit', 's', { action: 'subnet.policy.set', allowed: true })], new Set()).world, true);
    for (const action of ['token.authenticate', 'token.create', 'route.workloads.create', 'pod.logs.provider', 'node.credential.rotate']) {
      assert.equal(classifyChanges([event('audit', 'audit', 's', { action, allowed: true })], new Set()).world, false, action);
    }
    assert.equal(classifyChanges([event('audit', 'audit', 's', { action: 'admission.developer', allowed: false })], new Set()).world, false);
  });
});
