import http from 'node:http';
import type { AssignmentMessage } from '../../src/api/wire.js';
import { rawCall } from '../support/http-call.js';

type LogsMessage = Extract<AssignmentMessage, { type: 'logs' }>;

/**
 * A test double of a node agent's connection, used only where no engine is needed: it
 * holds the node's assignment stream open with the node's own credential and answers
 * log requests by posting a fixed line, or hands them to the test (`capture`).
 */
export class NodeDouble {
  private req: http.ClientRequest | undefined;
  private captured: LogsMessage[] = [];
  private waiters: ((m: LogsMessage) => void)[] = [];
  /** When true, log requests are kept for `nextLogRequest` instead of being answered. */
  capture = false;

  constructor(
    private readonly base: string,
    readonly nodeId: string,
    private readonly credential: string,
  ) {}

  /** Opens the stream; resolves once the server sent its first message (the snapshot). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL(`/v1/nodes/${this.nodeId}/assignments`, this.base);
      this.req = http.get(url, { headers: { authorization: `Bearer ${this.credential}`, accept: 'application/x-ndjson' }, agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`assignment stream answered ${res.statusCode}`));
        let buffer = '';
        let first = true;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) this.onMessage(JSON.parse(line) as AssignmentMessage);
            if (first) {
              first = false;
              resolve();
            }
          }
        });
        res.on('error', () => undefined);
      });
      this.req.on('error', (err) => reject(err));
    });
  }

  /** The next log request the server sent down the stream (capture mode). */
  nextLogRequest(timeoutMs = 5_000): Promise<LogsMessage> {
    const ready = this.captured.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log request for node ${this.nodeId} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  close(): void {
    this.req?.destroy();
  }

  private onMessage(m: AssignmentMessage): void {
    if (m.type !== 'logs') return;
    if (this.capture) {
      const waiter = this.waiters.shift();
      if (waiter) waiter(m);
      else this.captured.push(m);
      return;
    }
    void rawCall(this.base, { method: 'POST', path: `/v1/nodes/${this.nodeId}/log-streams/${m.requestId}`, token: this.credential, body: `output of ${m.podId}\n` }).catch(() => undefined);
  }
}
