/** One authentication challenge from a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** Lower case: `bearer` or `basic` (others are returned as written, lower-cased). */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const PARAM_RE = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;

/**
 * Parses the first challenge of a `WWW-Authenticate` header, e.g.
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`.
 * Undefined when the header is empty.
 */
export function parseChallenge(header: string): AuthChallenge | undefined {
  const trimmed = header.trim();
  const match = /^([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(trimmed);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of (match[2] ?? '').matchAll(PARAM_RE)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}
