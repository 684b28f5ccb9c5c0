import type { LogChunk } from '../driver.js';

const HEADER_BYTES = 8;

/**
 * Decodes Docker's multiplexed stream (logs and exec of a container without a
 * TTY): frames of an 8-byte header (stream type, three zero bytes, big-endian
 * payload length) and the payload. Bytes may arrive split anywhere; `push`
 * returns the chunks completed so far and keeps the rest for the next call.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns every frame they complete, in order. */
  push(bytes: Buffer): LogChunk[] {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const chunks: LogChunk[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER_BYTES < size) break;
      const start = offset + HEADER_BYTES;
      if (size > 0) {
        chunks.push({
          // Type 2 is stderr; 1 is stdout, and 0 (stdin echoed back) is output the caller sees on stdout.
          stream: this.pending[offset] === 2 ? 'stderr' : 'stdout',
          data: Buffer.from(this.pending.subarray(start, start + size)),
        });
      }
      offset = start + size;
    }
    this.pending = this.pending.subarray(offset);
    return chunks;
  }

  /** Bytes of an unfinished frame still held (non-zero when a stream was cut short). */
  get buffered(): number {
    return this.pending.length;
  }
}

/** Decodes a whole multiplexed byte source (a stream or a buffer) into chunks. */
export async function* decodeFrames(source: AsyncIterable<Buffer | string> | Buffer): AsyncGenerator<LogChunk> {
  const decoder = new FrameDecoder();
  if (Buffer.isBuffer(source)) {
    yield* decoder.push(source);
    return;
  }
  for await (const bytes of source) yield* decoder.push(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
}
