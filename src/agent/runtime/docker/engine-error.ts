import type { NodeFailureReason } from '../../../api/placement.js';
import { RuntimeError } from '../driver.js';

/** The driver operations, as they appear in a {@link RuntimeError}'s `op`. */
export type DriverOp = 'info' | 'pull' | 'create' | 'start' | 'inspect' | 'list' | 'logs' | 'exec' | 'wait' | 'stop' | 'remove';

// The daemon names a runtime it does not know at create ("Unknown runtime
// specified x"); newer daemons accept shim-style names and fail at start when the
// shim binary is missing. Both mean the runtime is not available on this node.
const UNKNOWN_RUNTIME_RE = /unknown runtime|runtime ".*" (?:is )?not (?:found|configured)|failed to start shim|containerd-shim-[^\s:]+: .*not found/i;
// No GPU device driver in the daemon, or the NVIDIA hook refusing the device.
const GPU_RE = /could not select device driver|nvidia-container-cli|unknown device ["']?GPU-/i;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE']);

/** The HTTP status the engine answered with, when the failure came from an answer. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The engine's own sentence for a failure: the `message` of its JSON answer, or
 * the client's message without the HTTP prefix the client adds.
 */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/**
 * Turns any failure of `op` on `resource` into a {@link RuntimeError} whose reason
 * the control plane can act on: pull → `image_pull_failed`, create →
 * `create_failed`, start → `start_failed`; an unknown or missing runtime, and a
 * daemon that cannot be reached, → `runtime_unavailable` whatever the operation;
 * GPUs the engine cannot hand over → `gpu_attach_failed`; any other operation →
 * `runtime_unavailable` (the engine could not do it).
 */
export function engineFailure(op: DriverOp, resource: string, error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const message = engineMessage(error);
  const code = (error as { code?: unknown } | null)?.code;
  let reason: NodeFailureReason;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code) && statusOf(error) === undefined) reason = 'runtime_unavailable';
  else if (op !== 'pull' && UNKNOWN_RUNTIME_RE.test(message)) reason = 'runtime_unavailable';
  else if ((op === 'create' || op === 'start') && GPU_RE.test(message)) reason = 'gpu_attach_failed';
  else if (op === 'pull') reason = 'image_pull_failed';
  else if (op === 'create') reason = 'create_failed';
  else if (op === 'start') reason = 'start_failed';
  else reason = 'runtime_unavailable';
  return new RuntimeError(op, resource, reason, withMessage(error, message));
}

// Keeps the engine's original error as the cause while the RuntimeError's own
// message carries the engine's sentence rather than the client's HTTP framing.
function withMessage(error: unknown, message: string): Error {
  if (error instanceof Error && error.message === message) return error;
  return new Error(message, { cause: error });
}
