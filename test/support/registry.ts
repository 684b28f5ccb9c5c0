import { createHash } from 'node:crypto';
import { httpRequest } from './unix-http.js';

const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

/** An image in a registry, by the parts tests need. */
export interface RegistryImage {
  /** `host:port`. */
  readonly registry: string;
  /** Repository inside the registry, e.g. `idyl/busybox`. */
  readonly repository: string;
  /** `registry/repository:tag`. */
  readonly ref: string;
  /** The manifest digest. */
  readonly digest: string;
}

/** What a variant changes in the base image's config (`config.Entrypoint`, `config.Cmd`, `config.Labels`). */
export interface ConfigChanges {
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
}

/** The digest the registry gives `repository:reference`, or undefined when it has no such manifest. */
export async function manifestDigest(registry: string, repository: string, reference: string): Promise<string | undefined> {
  const answer = await call(registry, 'HEAD', `/v2/${repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES } });
  if (answer.status === 404) return undefined;
  const digest = answer.headers['docker-content-digest'];
  if (answer.status !== 200 || typeof digest !== 'string') throw new Error(`HEAD ${repository}:${reference} answered ${answer.status}`);
  return digest;
}

/**
 * Pushes `repository:tag` to `base`'s registry: `base`'s layers (mounted, not
 * copied) under a config changed by `changes`. Builds no image and needs no tool:
 * it speaks the registry's HTTP API. Each distinct change gives a distinct digest.
 */
export async function pushVariant(base: RegistryImage, repository: string, tag: string, changes: ConfigChanges): Promise<RegistryImage> {
  const { registry } = base;
  const manifest = JSON.parse(
    (await expect(call(registry, 'GET', `/v2/${base.repository}/manifests/${base.digest}`, { headers: { Accept: MANIFEST_TYPES } }), 200)).body,
  ) as { mediaType?: string; config: { digest: string; mediaType: string }; layers: Array<{ digest: string }> };
  const config = JSON.parse((await expect(call(registry, 'GET', `/v2/${base.repository}/blobs/${manifest.config.digest}`), 200)).body) as {
    config?: Record<string, unknown>;
  };
  config.config = { ...config.config, ...changes };
  const configBytes = Buffer.from(JSON.stringify(config));
  for (const layer of manifest.layers) {
    await expect(call(registry, 'POST', `/v2/${repository}/blobs/uploads/?mount=${layer.digest}&from=${base.repository}`), 201);
  }
  await uploadBlob(registry, repository, configBytes);
  const variant = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: sha256(configBytes), size: configBytes.length } }));
  const contentType = manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  await expect(call(registry, 'PUT', `/v2/${repository}/manifests/${tag}`, { body: variant, headers: { 'Content-Type': contentType } }), 201);
  return { registry, repository, ref: `${registry}/${repository}:${tag}`, digest: sha256(variant) };
}

/** Deletes `image`'s manifest (and so its tags) from its repository; a missing one is fine. */
export async function deleteManifest(image: RegistryImage): Promise<void> {
  const answer = await call(image.registry, 'DELETE', `/v2/${image.repository}/manifests/${image.digest}`);
  if (answer.status !== 202 && answer.status !== 404) throw new Error(`DELETE ${image.repository}@${image.digest} answered ${answer.status}: ${answer.body}`);
}

async function uploadBlob(registry: string, repository: string, bytes: Buffer): Promise<void> {
  const started = await expect(call(registry, 'POST', `/v2/${repository}/blobs/uploads/`), 202);
  const location = new URL(String(started.headers.location), `http://${registry}`);
  location.searchParams.set('digest', sha256(bytes));
  await expect(
    call(registry, 'PUT', `${location.pathname}${location.search}`, { body: bytes, headers: { 'Content-Type': 'application/octet-stream' } }),
    201,
  );
}

function call(registry: string, method: string, path: string, options: { body?: Buffer; headers?: Record<string, string> } = {}) {
  return httpRequest({ baseUrl: `http://${registry}` }, method, path, options);
}

async function expect<T extends { status: number; body: string }>(pending: Promise<T>, status: number): Promise<T> {
  const answer = await pending;
  if (answer.status !== status) throw new Error(`registry answered ${answer.status} (wanted ${status}): ${answer.body.slice(0, 300)}`);
  return answer;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
