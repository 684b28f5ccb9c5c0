import type { LogOptions, RuntimeDriver } from '../../src/agent/runtime/driver.js';

/** A container's output, gathered per stream. */
export interface DrainedLogs {
  readonly stdout: string;
  readonly stderr: string;
  /** Chunks in the order the driver gave them. */
  readonly chunks: number;
}

/** Reads `driver.logs(id, options)` to its end and joins the chunks per stream. */
export async function drainLogs(driver: RuntimeDriver, id: string, options: LogOptions): Promise<DrainedLogs> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let chunks = 0;
  for await (const chunk of driver.logs(id, options)) {
    chunks += 1;
    (chunk.stream === 'stderr' ? err : out).push(chunk.data);
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), chunks };
}
