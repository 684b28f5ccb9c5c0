import type { Duplex } from 'node:stream';
import { FrameDecoder } from './frame-decoder.js';

/**
 * Reads an exec's multiplexed output until the process closes it. Rejects, and
 * cuts the connection, when that takes longer than `timeoutMs` (the process may
 * go on running inside the container: the engine has no call to kill an exec).
 */
export function collectExec(stream: Duplex, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  const decoder = new FrameDecoder();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`exec did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    };
    stream.on('data', (bytes: Buffer) => {
      for (const chunk of decoder.push(bytes)) (chunk.stream === 'stderr' ? err : out).push(chunk.data);
    });
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
