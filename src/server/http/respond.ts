import type { ServerResponse } from 'node:http';
import { IdylError } from '../../api/errors.js';

/** Writes one JSON document. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Writes an error in the catalogue's wire shape. */
export function sendError(res: ServerResponse, err: IdylError): void {
  sendJson(res, err.status, err.toBody());
}

/** Starts an NDJSON stream; returns a writer that resolves once the line is flushed or the peer is gone. */
export function startNdjson(res: ServerResponse): (value: unknown) => Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  return (value) =>
    new Promise((resolve) => {
      if (res.destroyed || res.writableEnded) return resolve();
      const ok = res.write(`${JSON.stringify(value)}\n`);
      if (ok) resolve();
      else res.once('drain', () => resolve());
    });
}
