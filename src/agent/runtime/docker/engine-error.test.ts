import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuntimeError } from '../driver.js';
import { engineFailure } from './engine-error.js';

// Shaped as the Docker client reports an engine answer: status and the engine's JSON.
const answer = (statusCode: number, message: string): Error =>
  Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), { statusCode, json: { message } });
const unreachable = (code: string): Error => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

test('a missing runtime is runtime_unavailable whether create or start finds out', () => {
  assert.equal(engineFailure('create', 'c', answer(400, 'Unknown runtime specified io.containerd.x.v1')).reason, 'runtime_unavailable');
  const atStart = answer(500, 'failed to create task: failed to start shim: failed to resolve runtime path: runtime "io.containerd.x.v1" binary not installed "containerd-shim-x-v1": file does not exist');
  assert.equal(engineFailure('start', 'c', atStart).reason, 'runtime_unavailable');
});

test('each operation keeps its own reason for other engine refusals', () => {
  assert.equal(engineFailure('pull', 'i', answer(404, 'manifest unknown')).reason, 'image_pull_failed');
  assert.equal(engineFailure('create', 'c', answer(409, 'Conflict. The container name "/x" is already in use')).reason, 'create_failed');
  assert.equal(engineFailure('start', 'c', answer(500, 'OCI runtime create failed: exec: "nope": not found')).reason, 'start_failed');
});

test('a daemon that cannot be reached is runtime_unavailable for every operation', () => {
  for (const op of ['pull', 'create', 'start', 'list'] as const) {
    assert.equal(engineFailure(op, 'x', unreachable('ECONNREFUSED')).reason, 'runtime_unavailable');
  }
});

test('the error names the operation, the resource and the engine\'s own sentence, and keeps the cause', () => {
  const cause = answer(404, 'manifest for x:1 not found: manifest unknown');
  const error = engineFailure('pull', 'x:1', cause);
  assert.ok(error instanceof RuntimeError);
  assert.equal(error.message, 'pull x:1: manifest for x:1 not found: manifest unknown');
  assert.equal((error.cause as Error).cause, cause);
});

test('GPUs the engine cannot hand over are gpu_attach_failed', () => {
  const noDriver = answer(500, 'could not select device driver "nvidia" with capabilities: [[gpu]]');
  assert.equal(engineFailure('start', 'c', noDriver).reason, 'gpu_attach_failed');
});
