import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteId } from '../../api/routes.js';
import type { Principal } from '../auth/principal.js';

/** One authenticated, validated request as a handler sees it. */
export interface Call {
  readonly id: RouteId;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The validated JSON body (the raw manifest for manifest routes); undefined when none. */
  readonly body: unknown;
  /** Undefined only on public routes. */
  readonly principal: Principal | undefined;
  /** The account a user acts for (its own, or any for root via `X-Idyl-Account`). */
  readonly accountId: string | undefined;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
  /** The peer address, for audit records. */
  readonly remote: string;
}

/** A JSON answer, or `streamed` when the handler wrote the response itself. */
export type Reply = { readonly status?: number; readonly body?: unknown } | 'streamed';

export type Handler = (call: Call) => Promise<Reply>;

/** Every route must have a handler: a missing one does not compile. */
export type Handlers = { readonly [K in RouteId]: Handler };
