import { randomBytes } from 'node:crypto';
import type { Descriptor } from './api-types.js';
import type { ContainerdConnection } from './containerd-connection.js';
import { writeBlob } from './content-writer.js';
import { isAlreadyExists, isNotFound } from './grpc-status.js';
import { formatPlatform, selectPlatformManifest, type OciPlatform } from './host-platform.js';
import type { ImageReference } from './image-reference.js';
import type { ImageStore, ResolvedImage } from './image-store.js';
import { chainIds, parseImageConfig, parseManifestDocument, type BlobDescriptor } from './oci-image.js';
import type { RegistryClient } from './registry-client.js';

/** What the puller needs around it. */
export interface PullerContext {
  readonly conn: ContainerdConnection;
  readonly registry: RegistryClient;
  readonly store: ImageStore;
  readonly snapshotter: string;
  readonly platform: OciPlatform;
  /** Labels put on image records the puller creates. */
  readonly imageLabels: Readonly<Record<string, string>>;
}

const GC_CONTENT = 'containerd.io/gc.ref.content';
const LEASE_HOURS = 1;
const APPLY_TIMEOUT_MS = 30 * 60_000;

/**
 * Fetches an image from its registry into containerd and unpacks it, the way
 * containerd's own client does: every blob written with its expected digest, the
 * garbage-collection reference labels (index → manifest → config and layers, config →
 * top snapshot) set, layers applied into committed snapshots named by chain id, all
 * under a lease that is dropped once the image record holds everything.
 * Layers whose snapshot already exists are neither downloaded nor applied.
 */
export async function pullImage(
  ctx: PullerContext,
  ref: ImageReference,
  recordName: string,
  pinnedDigest: string | undefined,
  progress: (message: string) => void,
): Promise<ResolvedImage> {
  const { conn, registry } = ctx;
  const top = await registry.fetchManifest(ref, pinnedDigest ?? ref.digest ?? ref.tag ?? 'latest');
  progress(`resolved ${recordName} to ${top.digest}`);
  let doc = parseManifestDocument(top.body, top.mediaType);
  const topDescriptor: Descriptor = { mediaType: doc.mediaType, digest: top.digest, size: top.body.length };
  const blobs: Array<{ desc: BlobDescriptor; body: Buffer; labels: Record<string, string> }> = [];
  if (doc.kind === 'index') {
    const chosen = selectPlatformManifest(doc.manifests, ctx.platform);
    if (!chosen) throw new Error(`${recordName} has no image for ${formatPlatform(ctx.platform)}`);
    blobs.push({ desc: topDescriptor, body: top.body, labels: { [`${GC_CONTENT}.m.0`]: chosen.digest } });
    const fetched = await registry.fetchManifest(ref, chosen.digest);
    doc = parseManifestDocument(fetched.body, chosen.mediaType);
    if (doc.kind !== 'manifest') throw new Error(`${chosen.digest} is an index inside an index`);
    blobs.push({ desc: chosen, body: fetched.body, labels: manifestLabels(doc.config, doc.layers) });
  } else {
    blobs.push({ desc: topDescriptor, body: top.body, labels: manifestLabels(doc.config, doc.layers) });
  }
  const manifest = doc;
  const configBody = await registry.fetchBlob(ref, manifest.config);
  const config = parseImageConfig(configBody);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new Error(`${recordName}: ${manifest.layers.length} layers but ${config.diffIds.length} diff ids`);
  }
  const chain = chainIds(config.diffIds);
  const chainId = chain.at(-1);
  if (!chainId) throw new Error(`${recordName} has no layers`);

  const lease = `idyl-pull-${randomBytes(6).toString('hex')}`;
  const expire = new Date(Date.now() + LEASE_HOURS * 3600_000).toISOString();
  await conn.call('leases.Create', { id: lease, labels: { 'containerd.io/gc.expire': expire } });
  try {
    for (let i = 0; i < manifest.layers.length; i++) {
      await unpackLayer(ctx, ref, lease, manifest.layers[i]!, config.diffIds[i]!, chain[i]!, chain[i - 1] ?? '', progress);
    }
    const configLabels = { [`containerd.io/gc.ref.snapshot.${ctx.snapshotter}`]: chainId };
    await ensureBlob(conn, lease, manifest.config, one(configBody), configLabels);
    for (const blob of blobs.reverse()) await ensureBlob(conn, lease, blob.desc, one(blob.body), blob.labels);
    await saveImageRecord(ctx, recordName, topDescriptor);
  } finally {
    await conn.call('leases.Delete', { id: lease }).catch(() => undefined);
  }
  const image: ResolvedImage = { name: recordName, digest: top.digest, configDigest: manifest.config.digest, config, chainId };
  ctx.store.remember(image);
  progress(`pulled ${recordName} (${top.digest})`);
  return image;
}

async function unpackLayer(
  ctx: PullerContext,
  ref: ImageReference,
  lease: string,
  layer: BlobDescriptor,
  diffId: string,
  chainId: string,
  parent: string,
  progress: (message: string) => void,
): Promise<void> {
  const { conn, snapshotter } = ctx;
  try {
    await conn.call('snapshots.Stat', { snapshotter, key: chainId });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await ensureBlob(conn, lease, layer, ctx.registry.openBlob(ref, layer), {});
  progress(`fetched layer ${layer.digest} (${layer.size} bytes)`);
  const key = `extract-${randomBytes(6).toString('hex')} ${chainId}`;
  const labels = { 'containerd.io/snapshot.ref': chainId };
  const { mounts } = await conn.call('snapshots.Prepare', { snapshotter, key, parent, labels }, { lease });
  try {
    const desc = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
    const { applied } = await conn.call('diff.Apply', { diff: desc, mounts }, { lease, timeoutMs: APPLY_TIMEOUT_MS });
    if (applied.digest !== diffId) throw new Error(`layer ${layer.digest} unpacked to ${applied.digest}, the image says ${diffId}`);
    await conn.call('snapshots.Commit', { snapshotter, name: chainId, key, labels }, { lease });
  } catch (err) {
    await conn.call('snapshots.Remove', { snapshotter, key }).catch(() => undefined);
    if (isAlreadyExists(err)) return;
    throw err;
  }
}

/** Writes a blob unless containerd has it; an existing blob gets the labels it lacks. */
async function ensureBlob(
  conn: ContainerdConnection,
  lease: string,
  desc: BlobDescriptor | Descriptor,
  source: AsyncIterable<Buffer>,
  labels: Record<string, string>,
): Promise<void> {
  let existing: Readonly<Record<string, string>> | undefined;
  try {
    existing = (await conn.call('content.Info', { digest: desc.digest })).info.labels;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (existing === undefined) {
    const written = await writeBlob(conn, desc, source, labels, lease);
    if (written) return;
    existing = (await conn.call('content.Info', { digest: desc.digest })).info.labels;
  }
  const missing = Object.keys(labels).filter((k) => existing?.[k] !== labels[k]);
  if (missing.length === 0) return;
  await conn.call('content.Update', { info: { digest: desc.digest, labels }, updateMask: { paths: missing.map((k) => `labels.${k}`) } });
}

async function saveImageRecord(ctx: PullerContext, name: string, target: Descriptor): Promise<void> {
  try {
    await ctx.conn.call('images.Create', { image: { name, labels: { ...ctx.imageLabels }, target } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await ctx.conn.call('images.Update', { image: { name, labels: {}, target }, updateMask: { paths: ['target'] } });
  }
}

function manifestLabels(config: BlobDescriptor, layers: readonly BlobDescriptor[]): Record<string, string> {
  const labels: Record<string, string> = { [`${GC_CONTENT}.config`]: config.digest };
  layers.forEach((layer, i) => (labels[`${GC_CONTENT}.l.${i}`] = layer.digest));
  return labels;
}

async function* one(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}
