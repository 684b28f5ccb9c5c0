import type { ContainerdConnection } from './containerd-connection.js';
import { isNotFound } from './grpc-status.js';
import { formatPlatform, selectPlatformManifest, type OciPlatform } from './host-platform.js';
import { chainIds, parseImageConfig, parseManifestDocument, type ImageConfig } from './oci-image.js';

/** An image that is present and unpacked in containerd, ready for a container. */
export interface ResolvedImage {
  /** The image record's name. */
  readonly name: string;
  /** The digest of the record's target (index or manifest). */
  readonly digest: string;
  readonly configDigest: string;
  readonly config: ImageConfig;
  /** The committed snapshot holding the image's top layer (a container's parent). */
  readonly chainId: string;
}

/**
 * Reads images that containerd already holds and remembers what it resolved, so the
 * launch path (create) costs no image round trips after a pull. The memory is keyed
 * by record name and refreshed by every pull and every local resolve.
 */
export class ImageStore {
  private readonly conn: ContainerdConnection;
  private readonly snapshotter: string;
  private readonly platform: OciPlatform;
  private readonly byName = new Map<string, ResolvedImage>();

  constructor(conn: ContainerdConnection, snapshotter: string, platform: OciPlatform) {
    this.conn = conn;
    this.snapshotter = snapshotter;
    this.platform = platform;
  }

  /** What this driver last resolved for the record `name`, without asking containerd. */
  cached(name: string): ResolvedImage | undefined {
    return this.byName.get(name);
  }

  /** Records a resolved image (after a pull). */
  remember(image: ResolvedImage): void {
    this.byName.set(image.name, image);
  }

  /** Forgets the record `name` (after it was deleted). */
  forget(name: string): void {
    this.byName.delete(name);
  }

  /**
   * The image record `name` resolved from containerd, or undefined when there is no
   * such record, its content is incomplete or its layers are not unpacked (a pull
   * fixes all three).
   */
  async resolveLocal(name: string): Promise<ResolvedImage | undefined> {
    let target;
    try {
      target = (await this.conn.call('images.Get', { name })).image.target;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (!target) return undefined;
    const known = this.byName.get(name);
    if (known && known.digest === target.digest) return known;
    try {
      let doc = parseManifestDocument(await this.readBlob(target.digest), target.mediaType);
      if (doc.kind === 'index') {
        const chosen = selectPlatformManifest(doc.manifests, this.platform);
        if (!chosen) throw new Error(`image ${name} has no manifest for ${formatPlatform(this.platform)}`);
        doc = parseManifestDocument(await this.readBlob(chosen.digest), chosen.mediaType);
      }
      if (doc.kind !== 'manifest') return undefined;
      const config = parseImageConfig(await this.readBlob(doc.config.digest));
      const chainId = chainIds(config.diffIds).at(-1);
      if (!chainId) return undefined;
      await this.conn.call('snapshots.Stat', { snapshotter: this.snapshotter, key: chainId });
      const image: ResolvedImage = { name, digest: target.digest, configDigest: doc.config.digest, config, chainId };
      this.byName.set(name, image);
      return image;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A whole blob from the content store; rejects NOT_FOUND when it is absent. */
  readBlob(digest: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const stream = this.conn.serverStream('content.Read', { digest });
      stream.on('data', (msg: { data: Buffer }) => chunks.push(msg.data));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  }
}
