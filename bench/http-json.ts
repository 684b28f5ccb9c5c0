import http from 'node:http';

/** One answer: its status (0 when the request failed) and body text. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * One request over `agent` (keep-alive connections shared by a benchmark's workers),
 * with a bearer token and an optional JSON body. A connection error answers status 0
 * rather than throwing, so a benchmark counts it like any other failure.
 */
export function requestJson(agent: http.Agent, base: string, method: string, path: string, token: string, body?: unknown): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve) => {
    const req = http.request(new URL(path, base), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, text: String(err) }));
    });
    req.on('error', (err) => resolve({ status: 0, text: String(err) }));
    req.end(payload);
  });
}

/** Runs `work(i)` for i = 0 … count-1 from `concurrency` workers at once, in order of i. */
export async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
