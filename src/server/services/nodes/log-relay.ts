import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { IdylError } from '../../../api/errors.js';
import type { AssignmentMessage } from '../../../api/wire.js';

interface Waiting {
  readonly nodeId: string;
  readonly deliver: (body: IncomingMessage) => Promise<void>;
  readonly fail: (err: Error) => void;
}

/**
 * Reaches a node's log stream through the control plane although nodes only
 * connect outbound: the request travels down the node's assignment stream, and the
 * agent answers by POSTing the output, which is piped to the waiting client.
 */
export class LogRelay {
  private readonly channels = new Map<string, Set<(m: AssignmentMessage) => void>>();
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly connectTimeoutMs = 10_000) {}

  /** Registers a node's open assignment stream; returns the function that unregisters it. */
  attach(nodeId: string, send: (m: AssignmentMessage) => void): () => void {
    let set = this.channels.get(nodeId);
    if (!set) this.channels.set(nodeId, (set = new Set()));
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0) this.channels.delete(nodeId);
    };
  }

  /**
   * Asks the node for a pod's output and calls `pipe` with the agent's request body.
   * Resolves when the output ended; refuses with `unavailable` when the node is not
   * reachable from this control plane or does not answer in time.
   */
  async request(nodeId: string, podId: string, opts: { follow: boolean; tail?: number }, signal: AbortSignal, pipe: (body: IncomingMessage) => Promise<void>): Promise<void> {
    const senders = this.channels.get(nodeId);
    if (!senders || senders.size === 0) throw new IdylError('unavailable', `node ${nodeId} has no open connection to this control plane`, { hint: 'try again once the node is connected' });
    const requestId = randomUUID();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new IdylError('unavailable', `node ${nodeId} did not answer the log request in time`));
      }, this.connectTimeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(requestId, {
        nodeId,
        deliver: async (body) => {
          clearTimeout(timer);
          try {
            await pipe(body);
            resolve();
          } catch (err) {
            reject(err);
          } finally {
            signal.removeEventListener('abort', onAbort);
          }
        },
        fail: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      const message: AssignmentMessage = { type: 'logs', requestId, podId, follow: opts.follow, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) };
      for (const send of senders) {
        send(message);
        break;
      }
    });
  }

  /** The agent's answer to `requestId`; false when nobody waits for it (or it is another node's). */
  async accept(nodeId: string, requestId: string, body: IncomingMessage): Promise<boolean> {
    const w = this.waiting.get(requestId);
    if (!w || w.nodeId !== nodeId) return false;
    this.waiting.delete(requestId);
    await w.deliver(body);
    return true;
  }

  close(): void {
    for (const w of this.waiting.values()) w.fail(new IdylError('unavailable', 'the control plane is shutting down'));
    this.waiting.clear();
  }
}
