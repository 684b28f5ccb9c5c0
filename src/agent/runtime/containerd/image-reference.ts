/** An image reference split into the parts the registry API needs. */
export interface ImageReference {
  /** Registry host as written (`127.0.0.1:5000`, `docker.io`). */
  readonly registry: string;
  /** Repository path inside the registry (`idyl/busybox`, `library/alpine`). */
  readonly repository: string;
  /** The tag; `latest` when neither tag nor digest was written. */
  readonly tag?: string;
  /** A digest written in the reference itself (`…@sha256:…`). */
  readonly digest?: string;
}

/** A parse result: the reference, or why the text is not one. */
export type ReferenceParse = { readonly ok: true; readonly ref: ImageReference } | { readonly ok: false; readonly error: string };

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_RE = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/**
 * Parses `[registry/]repository[:tag][@digest]` the way Docker does: a first path
 * component with a dot, a colon or `localhost` names the registry, otherwise the image
 * is on Docker Hub (`docker.io`, with `library/` for single names).
 */
export function parseImageReference(text: string): ReferenceParse {
  let rest = text.trim();
  if (!rest) return { ok: false, error: 'the image reference is empty' };
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return { ok: false, error: `"${digest}" is not a digest` };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return { ok: false, error: `"${tag}" is not a valid tag` };
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
    if (!HOST_RE.test(registry)) return { ok: false, error: `"${registry}" is not a registry host` };
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || parts.some((p) => !COMPONENT_RE.test(p))) {
    return { ok: false, error: `"${text}" is not a valid image reference (repository names are lower case)` };
  }
  if (!tag && !digest) tag = 'latest';
  return { ok: true, ref: { registry, repository: parts.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) } };
}

/** The reference written back in full: `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * The name of containerd's image record for a reference: the tag form, or, when the
 * image is pinned by digest, the digest form without the tag (a pin names content, so
 * two workloads pinning the same digest share one record and never move a tag).
 */
export function imageRecordName(ref: ImageReference, pinnedDigest?: string): string {
  const digest = pinnedDigest ?? ref.digest;
  if (digest) return `${ref.registry}/${ref.repository}@${digest}`;
  return `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
}
