import { createHash } from 'node:crypto';

/** Media types of image indexes (OCI and Docker's manifest list). */
export const INDEX_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

/** Media types of single-platform manifests (OCI and Docker schema 2). */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

/** What a descriptor in a manifest or index says about one blob. */
export interface BlobDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An image index (multi-platform). */
export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly BlobDescriptor[];
}

/** A single-platform manifest. */
export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly config: BlobDescriptor;
  readonly layers: readonly BlobDescriptor[];
}

/** The parts of an image config the driver uses. */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly diffIds: readonly string[];
}

/** `sha256:<hex>` of the bytes. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Parses a manifest or index body. `mediaType` is the registry's Content-Type, used
 * when the body does not state its own. Throws on a body that is neither.
 */
export function parseManifestDocument(body: Buffer, mediaType: string): ImageIndex | ImageManifest {
  const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const type = typeof doc['mediaType'] === 'string' ? (doc['mediaType'] as string) : mediaType.split(';')[0]!.trim();
  if (Array.isArray(doc['manifests'])) {
    const indexType = (INDEX_MEDIA_TYPES as readonly string[]).includes(type) ? type : INDEX_MEDIA_TYPES[0];
    return { kind: 'index', mediaType: indexType, manifests: (doc['manifests'] as unknown[]).map(descriptor) };
  }
  if (doc['config'] && Array.isArray(doc['layers'])) {
    return {
      kind: 'manifest',
      mediaType: (MANIFEST_MEDIA_TYPES as readonly string[]).includes(type) ? type : MANIFEST_MEDIA_TYPES[0],
      config: descriptor(doc['config']),
      layers: (doc['layers'] as unknown[]).map(descriptor),
    };
  }
  throw new Error(`unsupported manifest (media type "${type}")`);
}

/** Parses an image config blob. Throws when it lacks what a container needs. */
export function parseImageConfig(body: Buffer): ImageConfig {
  const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const config = (doc['config'] ?? {}) as Record<string, unknown>;
  const rootfs = (doc['rootfs'] ?? {}) as Record<string, unknown>;
  const diffIds = rootfs['diff_ids'];
  if (!Array.isArray(diffIds) || diffIds.some((d) => typeof d !== 'string')) throw new Error('image config has no rootfs.diff_ids');
  return {
    architecture: String(doc['architecture'] ?? ''),
    os: String(doc['os'] ?? ''),
    entrypoint: strings(config['Entrypoint']),
    cmd: strings(config['Cmd']),
    env: strings(config['Env']),
    workingDir: typeof config['WorkingDir'] === 'string' ? config['WorkingDir'] : '',
    user: typeof config['User'] === 'string' ? config['User'] : '',
    diffIds: diffIds as string[],
  };
}

/**
 * The chain ids of a layer stack (the snapshot names containerd unpacks into): the
 * first is the first diff id, each next is sha256 of "<previous chain id> <diff id>".
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const previous = out[out.length - 1];
    out.push(previous === undefined ? diffId : sha256Digest(`${previous} ${diffId}`));
  }
  return out;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function descriptor(value: unknown): BlobDescriptor {
  const d = value as Record<string, unknown>;
  if (typeof d?.['digest'] !== 'string' || typeof d['size'] !== 'number') throw new Error('malformed descriptor in manifest');
  const platform = d['platform'] as Record<string, unknown> | undefined;
  return {
    mediaType: String(d['mediaType'] ?? ''),
    digest: d['digest'],
    size: d['size'],
    ...(platform
      ? {
          platform: {
            os: String(platform['os'] ?? ''),
            architecture: String(platform['architecture'] ?? ''),
            ...(typeof platform['variant'] === 'string' ? { variant: platform['variant'] } : {}),
          },
        }
      : {}),
    ...(d['annotations'] && typeof d['annotations'] === 'object' ? { annotations: d['annotations'] as Record<string, string> } : {}),
  };
}
