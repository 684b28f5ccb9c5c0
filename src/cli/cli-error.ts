import type { ErrorDetails } from '../api/errors.js';

/**
 * Failures the CLI itself detects, with codes beside the API catalogue's:
 * - `usage_error` (exit 2): the command line is wrong (unknown flag, missing argument,
 *   malformed `--env`); nothing was sent;
 * - `wait_timeout` (exit 1): `--wait` ran out of time after the workload was placed;
 * - `workload_failed` or the node's reason (`image_pull_failed`, ...) (exit 1): the
 *   workload `--wait` followed ended badly;
 * - `interrupted` (exit 130): the user pressed Ctrl-C.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
    readonly exitCode: number = code === 'usage_error' ? 2 : code === 'interrupted' ? 130 : 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error: exit code 2, nothing was sent to the server. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('usage_error', message, hint ? { hint } : undefined);
}
