import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord, TaskProcess } from './api-types.js';
import { isoTime, labelFilters, matchesSelector, toContainerInfo } from './container-info.js';

const record: ContainerRecord = {
  id: 'c1',
  labels: { 'idyl.managed': 'true' },
  image: 'img',
  runtime: { name: 'io.containerd.kata-qemu.v2' },
  spec: null,
  snapshotter: 'overlayfs',
  snapshotKey: 'c1',
};
const task = (over: Partial<TaskProcess>): TaskProcess => ({ containerId: '', id: 'c1', pid: 42, status: 'RUNNING', exitStatus: 0, exitedAt: null, ...over });

test('task states map to created, running, exited and unknown; the recorded runtime is reported', () => {
  assert.equal(toContainerInfo(record, undefined).state, 'created');
  assert.equal(toContainerInfo(record, task({ status: 'CREATED' })).state, 'created');
  const running = toContainerInfo(record, task({}), '2026-01-01T00:00:00.000Z');
  assert.deepEqual([running.state, running.pid, running.startedAt, running.runtime], ['running', 42, '2026-01-01T00:00:00.000Z', 'io.containerd.kata-qemu.v2']);
  assert.equal(toContainerInfo(record, task({ status: 'PAUSED' })).state, 'running');
  const exited = toContainerInfo(record, task({ status: 'STOPPED', exitStatus: 137, exitedAt: { seconds: 1_700_000_000, nanos: 5e8 } }));
  assert.deepEqual([exited.state, exited.exitCode, exited.pid, exited.finishedAt], ['exited', 137, undefined, '2023-11-14T22:13:20.500Z']);
  assert.equal(toContainerInfo(record, task({ status: 'UNKNOWN' })).state, 'unknown');
});

test('zero timestamps are absent', () => {
  assert.equal(isoTime({ seconds: 0, nanos: 0 }), undefined);
  assert.equal(isoTime(null), undefined);
  assert.equal(isoTime({ seconds: -62135596800, nanos: 0 }), undefined);
});

test('label filters narrow on plain values and leave the rest to the exact match', () => {
  assert.deepEqual(labelFilters({ 'idyl.managed': 'true', 'idyl.workload': 'w-1' }), ['labels."idyl.managed"==true,labels."idyl.workload"==w-1']);
  assert.deepEqual(labelFilters({ 'idyl.spec-hash': 'has space' }), []);
  assert.ok(matchesSelector({ a: '1', b: '2' }, { a: '1' }));
  assert.ok(!matchesSelector({ a: '1' }, { a: '1', b: '2' }));
});
