import type { IncomingMessage } from 'node:http';
import { IdylError } from '../../api/errors.js';

/** A refused body is read and dropped up to this much, so that the client gets to read the 413. */
const DISCARD_FLOOR_BYTES = 16 * 1024 * 1024;

/**
 * Reads a JSON body of at most `limit` bytes. Too large → `payload_too_large`; not
 * JSON → `validation_failed` with where it broke. A body over the limit is first read
 * to its end and dropped (up to max(8 × limit, 16 MiB)) before the refusal goes out:
 * Node closes a connection whose request was not read to the end, and a client still
 * sending would see the reset instead of the answer. Beyond that much, the connection
 * is cut.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const cap = Math.max(limit * 8, DISCARD_FLOOR_BYTES);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    if (declared <= cap) await drain(req, cap);
    throw new IdylError('payload_too_large', `request body of ${declared} bytes is over the limit of ${limit} bytes`, { limit });
  }
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      const refuse = () => reject(new IdylError('payload_too_large', `request body is over the limit of ${limit} bytes`, { limit }));
      void drain(req, cap - size).then(refuse, refuse);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
  if (text.trim() === '') throw new IdylError('validation_failed', 'body: a JSON body is required', { field: '' });
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new IdylError('validation_failed', `body: malformed JSON (${detail})`, { field: '' });
  }
}

/** Reads the rest of the body and drops it; past `cap` bytes the connection is cut. */
function drain(req: IncomingMessage, cap: number): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete) return resolve();
    let dropped = 0;
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > cap) {
        req.socket.destroy();
        resolve();
      }
    });
    req.once('end', () => resolve());
    req.once('close', () => resolve());
    req.resume();
  });
}
