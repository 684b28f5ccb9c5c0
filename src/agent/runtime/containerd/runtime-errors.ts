import type { NodeFailureReason } from '../../../api/placement.js';
import { RuntimeError } from '../driver.js';
import { errorText, isUnreachable } from './grpc-status.js';

/** The driver operations, as they appear in a RuntimeError's `op`. */
export type DriverOp = 'info' | 'pull' | 'create' | 'start' | 'inspect' | 'list' | 'logs' | 'exec' | 'wait' | 'stop' | 'remove';

const DEFAULT_REASON: Readonly<Record<DriverOp, NodeFailureReason>> = {
  info: 'runtime_unavailable',
  pull: 'image_pull_failed',
  create: 'create_failed',
  start: 'start_failed',
  inspect: 'start_failed',
  list: 'start_failed',
  logs: 'start_failed',
  exec: 'start_failed',
  wait: 'start_failed',
  stop: 'start_failed',
  remove: 'create_failed',
};

/**
 * Wraps any failure as a RuntimeError carrying containerd's own words. A daemon that
 * cannot be reached is `runtime_unavailable` whatever the operation; otherwise the
 * reason is `reason` or the operation's default (pull → `image_pull_failed`,
 * create/remove → `create_failed`, the rest → `start_failed`). A RuntimeError passes
 * through unchanged.
 */
export function runtimeError(op: DriverOp, resource: string, err: unknown, reason?: NodeFailureReason): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const chosen = isUnreachable(err) ? 'runtime_unavailable' : (reason ?? DEFAULT_REASON[op]);
  const cause = err instanceof Error ? Object.assign(new Error(errorText(err)), { cause: err }) : err;
  return new RuntimeError(op, resource, chosen, cause);
}

const SHIM_UNAVAILABLE = /binary not installed|failed to resolve runtime path|failed to start shim|invalid runtime name/i;

/**
 * The reason for a failed Tasks.Create: containerd could not find or start the shim of
 * the container's runtime (`runtime_unavailable`, e.g. a Kata shim that is not
 * installed), or the runtime started and refused the container (`start_failed`).
 */
export function taskCreateReason(err: unknown): NodeFailureReason {
  if (isUnreachable(err)) return 'runtime_unavailable';
  return SHIM_UNAVAILABLE.test(errorText(err)) ? 'runtime_unavailable' : 'start_failed';
}
