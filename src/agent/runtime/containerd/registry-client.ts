import { createHash } from 'node:crypto';
import type { ImageReference } from './image-reference.js';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, sha256Digest, type BlobDescriptor } from './oci-image.js';
import { parseChallenge, type AuthChallenge } from './www-authenticate.js';

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** How the registry client reaches registries. */
export interface RegistryClientOptions {
  /** Registry hosts (`host[:port]`) spoken to over plain HTTP; loopback hosts always are. */
  readonly insecureRegistries?: readonly string[];
  /** Credentials for a registry host, if any; anonymous otherwise. */
  readonly credentials?: (registry: string) => RegistryCredentials | undefined;
  /** Milliseconds to wait for a response's headers (default 30 s). */
  readonly timeoutMs?: number;
}

/** A manifest or index as the registry served it, with its verified digest. */
export interface FetchedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly body: Buffer;
}

/** A registry answered with an error, or sent content that fails verification. */
export class RegistryError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}

const MANIFEST_ACCEPT = [...MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES].join(', ');

/**
 * A small client for the OCI distribution API: manifests (by tag or digest) and blobs,
 * anonymous or with credentials, answering Bearer and Basic challenges. Plain HTTP
 * for loopback and configured insecure registries, HTTPS otherwise. Every byte it
 * returns is checked against the digest it was asked for.
 */
export class RegistryClient {
  private readonly options: RegistryClientOptions;
  private readonly tokens = new Map<string, string>();

  constructor(options: RegistryClientOptions = {}) {
    this.options = options;
  }

  /** Fetches the manifest or index that `reference` (a tag or a digest) names. */
  async fetchManifest(ref: ImageReference, reference: string): Promise<FetchedManifest> {
    const res = await this.request(ref, `manifests/${reference}`, MANIFEST_ACCEPT);
    const body = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(body);
    if (reference.includes(':') && reference !== digest) {
      throw new RegistryError(`manifest ${reference} arrived with digest ${digest}`);
    }
    const stated = res.headers.get('docker-content-digest');
    if (stated && stated.startsWith('sha256:') && stated !== digest) {
      throw new RegistryError(`registry says ${stated} but the manifest it sent hashes to ${digest}`);
    }
    return { digest, mediaType: res.headers.get('content-type') ?? '', body };
  }

  /** Fetches a small blob (an image config) whole, verified. */
  async fetchBlob(ref: ImageReference, blob: BlobDescriptor): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.openBlob(ref, blob)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /**
   * Streams a blob. The iterator throws after the last chunk when the bytes do not
   * match the descriptor's digest or size, so a consumer that commits only after the
   * loop never commits bad content.
   */
  async *openBlob(ref: ImageReference, blob: BlobDescriptor): AsyncGenerator<Buffer> {
    if (!blob.digest.startsWith('sha256:')) throw new RegistryError(`unsupported digest algorithm in ${blob.digest}`);
    const res = await this.request(ref, `blobs/${blob.digest}`, '*/*');
    if (!res.body) throw new RegistryError(`blob ${blob.digest} has no body`);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of res.body) {
      const buf = Buffer.from(chunk as Uint8Array);
      hash.update(buf);
      size += buf.length;
      yield buf;
    }
    const digest = `sha256:${hash.digest('hex')}`;
    if (digest !== blob.digest) throw new RegistryError(`blob ${blob.digest} arrived with digest ${digest}`);
    if (blob.size >= 0 && size !== blob.size) throw new RegistryError(`blob ${blob.digest} is ${size} bytes, expected ${blob.size}`);
  }

  private async request(ref: ImageReference, path: string, accept: string): Promise<Response> {
    const url = `${this.baseUrl(ref.registry)}/v2/${ref.repository}/${path}`;
    const scopeKey = `${ref.registry}/${ref.repository}`;
    let auth = this.tokens.get(scopeKey);
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = { accept };
      if (auth) headers['authorization'] = auth;
      let res: Response;
      try {
        res = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
      } catch (err) {
        throw new RegistryError(`cannot reach ${url}: ${describeFetchError(err)}`);
      }
      if (res.ok) return res;
      await res.body?.cancel();
      if (res.status === 401 && attempt === 0) {
        const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
        auth = await this.authorize(ref, challenge);
        if (auth) {
          this.tokens.set(scopeKey, auth);
          continue;
        }
      }
      throw new RegistryError(`${url} answered ${res.status} ${res.statusText}`.trim(), res.status);
    }
    throw new RegistryError(`${url}: the registry refused the credentials it asked for`, 401);
  }

  private async authorize(ref: ImageReference, challenge: AuthChallenge | undefined): Promise<string | undefined> {
    const creds = this.options.credentials?.(ref.registry);
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') return basic;
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError(`${ref.registry} sent a Bearer challenge without a realm`);
    const tokenUrl = new URL(realm);
    if (challenge.params['service']) tokenUrl.searchParams.set('service', challenge.params['service']);
    tokenUrl.searchParams.set('scope', challenge.params['scope'] ?? `repository:${ref.repository}:pull`);
    let res: Response;
    try {
      res = await fetch(tokenUrl, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (err) {
      throw new RegistryError(`cannot reach the token service ${tokenUrl.origin}: ${describeFetchError(err)}`);
    }
    if (!res.ok) throw new RegistryError(`token service ${tokenUrl.origin} answered ${res.status}`, res.status);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token service ${tokenUrl.origin} returned no token`);
    return `Bearer ${token}`;
  }

  private baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    const plain = isLoopbackHost(registry) || (this.options.insecureRegistries ?? []).includes(registry);
    return `${plain ? 'http' : 'https'}://${host}`;
  }
}

/** True for `localhost`, `127.x.y.z` and `[::1]`, with or without a port. */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0]!;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function describeFetchError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
}
