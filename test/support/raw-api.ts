/** One HTTP answer of the control plane, as a test reads it. */
export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

/** What a raw request carries. */
export interface RawRequest {
  /** Sent as JSON (`JSON.stringify`). */
  readonly body?: unknown;
  /** Sent as is (malformed JSON, huge bodies); wins over `body`. */
  readonly raw?: string | Buffer;
  /** Bearer token; `null` sends none. */
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A raw HTTP call to a control plane at `base`, for tests that must send what no
 * client would (malformed JSON, unknown fields, huge bodies) and see the exact answer.
 */
export async function rawCall(base: string, token: string, method: string, path: string, req: RawRequest = {}): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...req.headers };
  const auth = req.token === undefined ? token : req.token;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  let payload: string | Buffer | undefined;
  if (req.raw !== undefined) payload = req.raw;
  else if (req.body !== undefined) payload = JSON.stringify(req.body);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(new URL(path, base), { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The `error.code` of an answer, if it carries the catalogue's error shape. */
export function errorCode(a: RawAnswer): string | undefined {
  return (a.json as { error?: { code?: string } } | undefined)?.error?.code;
}

/** The `error.details.field` of an answer, if any. */
export function errorField(a: RawAnswer): string | undefined {
  return (a.json as { error?: { details?: { field?: string } } } | undefined)?.error?.details?.field;
}
