import type { IncomingMessage } from 'node:http';
import { IdylError } from '../../api/errors.js';

/**
 * Reads a JSON body of at most `limit` bytes. Too large → `payload_too_large` (the
 * rest is not read); not JSON → `validation_failed` with where it broke.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new IdylError('payload_too_large', `request body of ${declared} bytes is over the limit of ${limit} bytes`, { limit });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new IdylError('payload_too_large', `request body is over the limit of ${limit} bytes`, { limit });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new IdylError('validation_failed', 'body: a JSON body is required', { field: '' });
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new IdylError('validation_failed', `body: malformed JSON (${detail})`, { field: '' });
  }
}
