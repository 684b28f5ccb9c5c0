import { status } from '@grpc/grpc-js';

/** The gRPC status code of a failed call, or undefined for any other error. */
export function grpcCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'number') {
    return (err as { code: number }).code;
  }
  return undefined;
}

/** True when containerd answered NOT_FOUND (benign on delete, kill and stop). */
export function isNotFound(err: unknown): boolean {
  return grpcCode(err) === status.NOT_FOUND;
}

/** True when containerd answered ALREADY_EXISTS. */
export function isAlreadyExists(err: unknown): boolean {
  return grpcCode(err) === status.ALREADY_EXISTS;
}

/** True when the daemon could not be reached at all (socket missing, refused, timed out). */
export function isUnreachable(err: unknown): boolean {
  const code = grpcCode(err);
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED;
}

/**
 * True when containerd refused an operation on a process that has already exited
 * (FAILED_PRECONDITION "process already finished" and the like): benign for kill.
 */
export function isAlreadyFinished(err: unknown): boolean {
  if (grpcCode(err) !== status.FAILED_PRECONDITION && grpcCode(err) !== status.NOT_FOUND) return false;
  return /already (finished|stopped|exited)|not running|not found/i.test(errorText(err));
}

/** The daemon's own words for a failure, without grpc-js's "N CODE: " prefix. */
export function errorText(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'details' in err && typeof (err as { details: unknown }).details === 'string') {
    const details = (err as { details: string }).details;
    if (details) return details;
  }
  return err instanceof Error ? err.message : String(err);
}
