/**
 * Splits an image reference into repository, tag and digest, and names the
 * reference a container must be created from when a digest pins it.
 */
export interface ParsedReference {
  /** e.g. `127.0.0.1:5000/idyl/busybox`. */
  readonly repository: string;
  readonly tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  readonly digest?: string;
}

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** True when `value` has the shape of a content digest (`sha256:` and hex). */
export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/**
 * Parses `repo[:tag][@digest]`. The repository is not validated here (the engine
 * refuses a malformed one with its own words); only the split is done.
 */
export function parseReference(uri: string): ParsedReference {
  const at = uri.indexOf('@');
  const name = at === -1 ? uri : uri.slice(0, at);
  const digest = at === -1 ? undefined : uri.slice(at + 1);
  const colon = name.lastIndexOf(':');
  // A colon before the last slash belongs to a registry's port, not a tag.
  const hasTag = colon > name.lastIndexOf('/');
  return {
    repository: hasTag ? name.slice(0, colon) : name,
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * The reference to pull and to create from: `repository@digest` when a digest pins
 * the image (the tag is then only a label and is dropped), else the uri unchanged.
 * Returns undefined when the uri carries a different digest than `digest`.
 */
export function pinnedReference(uri: string, digest: string | undefined): string | undefined {
  const parsed = parseReference(uri);
  const pin = digest ?? parsed.digest;
  if (pin === undefined) return uri;
  if (digest !== undefined && parsed.digest !== undefined && parsed.digest !== digest) return undefined;
  return `${parsed.repository}@${pin}`;
}

/**
 * Docker prints Docker Hub repositories in their short form (`busybox`,
 * `library/busybox` and `docker.io/library/busybox` are one repository).
 */
export function familiarRepository(repository: string): string {
  const withoutHost = repository.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return withoutHost.replace(/^library\//, '');
}

/** The digest that `repoDigests` (Docker's `repo@digest` list) records for `repository`. */
export function digestFor(repoDigests: readonly string[], repository: string): string | undefined {
  const wanted = familiarRepository(repository);
  for (const entry of repoDigests) {
    const parsed = parseReference(entry);
    if (parsed.digest !== undefined && familiarRepository(parsed.repository) === wanted) return parsed.digest;
  }
  return undefined;
}
