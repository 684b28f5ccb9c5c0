import type { WriteContentRequest, WriteContentResponse } from './api-types.js';
import type { ContainerdConnection } from './containerd-connection.js';
import { isAlreadyExists } from './grpc-status.js';

/** What is being written: the blob's digest and size as its descriptor states them. */
export interface BlobTarget {
  readonly digest: string;
  readonly size: number;
}

const CHUNK = 1024 * 1024;

/**
 * Streams a blob into containerd's content store through `Content.Write`, with the
 * expected digest so that containerd verifies it, and `labels` set at commit. Writes
 * are pipelined (containerd acknowledges each message; the commit's answer is awaited).
 * Resolves `false` when the blob already existed (nothing was written), `true` when it
 * was committed. A source that throws aborts the ingest and rethrows.
 */
export async function writeBlob(
  conn: ContainerdConnection,
  target: BlobTarget,
  source: AsyncIterable<Buffer>,
  labels: Readonly<Record<string, string>>,
  lease: string,
): Promise<boolean> {
  const ref = `idyl-pull-${target.digest}`;
  const stream = conn.duplex('content.Write', { lease, timeoutMs: Infinity });
  let last: WriteContentResponse | undefined;
  let failure: Error | undefined;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (msg: WriteContentResponse) => (last = msg));
    stream.on('error', (err: Error) => {
      failure = err;
      reject(err);
    });
    stream.on('end', resolve);
  });
  // The answer promise may reject before we await it; keep Node from reporting that early.
  done.catch(() => undefined);

  const send = (req: WriteContentRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      // containerd answers an existing blob with ALREADY_EXISTS at once: stop downloading.
      if (failure) return reject(failure);
      stream.write(req, (err: Error | null | undefined) => (err ? reject(err) : resolve()));
    });

  let offset = 0;
  let first = true;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const head = first ? { ref, total: target.size, expected: target.digest } : {};
    first = false;
    await send({ action: 'WRITE', offset, data, ...head });
    offset += data.length;
  };

  try {
    for await (const chunk of source) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK) await flush();
    }
    if (pendingBytes > 0 || first) await flush();
    await send({ action: 'COMMIT', offset, total: target.size, expected: target.digest, labels: { ...labels } });
    stream.end();
    await done;
  } catch (err) {
    stream.cancel();
    if (isAlreadyExists(err)) return false;
    await conn.call('content.Abort', { ref }).catch(() => undefined);
    throw err;
  }
  if (!last || last.action !== 'COMMIT' || last.digest !== target.digest) {
    throw new Error(`containerd did not confirm ${target.digest} (it answered ${last ? `${last.action} ${last.digest}` : 'nothing'})`);
  }
  return true;
}
