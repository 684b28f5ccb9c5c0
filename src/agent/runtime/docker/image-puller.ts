import type Dockerode from 'dockerode';
import { RuntimeError, type ImageRef, type PullPolicy, type PulledImage } from '../driver.js';
import { engineFailure, statusOf } from './engine-error.js';
import { digestFor, isDigest, parseReference, pinnedReference } from './image-reference.js';

interface ProgressEvent {
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly error?: string;
}

/**
 * Makes `image` available to the daemon according to `policy` and returns the
 * manifest (or index) digest it resolved. A digest pins the image: the engine
 * pulls `repository@digest`, and what it resolved must equal it. `pulled` is true
 * when the registry was consulted during this call.
 */
export async function pullImage(docker: Dockerode, image: ImageRef, policy: PullPolicy, onProgress?: (message: string) => void): Promise<PulledImage> {
  const ref = pinnedReference(image.uri, image.digest);
  if (ref === undefined) {
    throw new RuntimeError('pull', image.uri, 'image_pull_failed', `the reference pins a different digest than ${image.digest ?? ''}`);
  }
  if (image.digest !== undefined && !isDigest(image.digest)) {
    throw new RuntimeError('pull', image.uri, 'image_pull_failed', `"${image.digest}" is not a digest (expected sha256:<64 hex digits>)`);
  }
  const { repository } = parseReference(ref);
  if (policy !== 'always') {
    const local = await localDigest(docker, ref, repository, image.digest);
    if (local !== undefined) return { digest: local, pulled: false };
    if (policy === 'never') {
      throw new RuntimeError('pull', ref, 'image_pull_failed', `image ${ref} is not present on this node and the pull policy is "never"`);
    }
  }
  const announced = await pullFromRegistry(docker, ref, onProgress);
  const digest = announced ?? (await localDigest(docker, ref, repository, image.digest));
  if (digest === undefined) throw new RuntimeError('pull', ref, 'image_pull_failed', 'the engine pulled the image but reports no digest for it');
  if (image.digest !== undefined && digest !== image.digest) {
    throw new RuntimeError('pull', ref, 'image_pull_failed', `the registry resolved ${digest}, not the pinned ${image.digest}`);
  }
  return { digest, pulled: true };
}

// The digest of the local image under `ref`, or undefined when the daemon has none.
async function localDigest(docker: Dockerode, ref: string, repository: string, pinned: string | undefined): Promise<string | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    // A local image found by `repository@digest` is, by lookup, that digest. An image
    // that never came from a registry has no repo digest: its id is all there is.
    return pinned ?? digestFor(info.RepoDigests ?? [], repository) ?? info.Id;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw engineFailure('pull', ref, error);
  }
}

// Streams the pull; resolves with the digest the engine announced ("Digest: sha256:…").
// A failure half-way arrives as an `error` line inside a successful answer.
async function pullFromRegistry(docker: Dockerode, ref: string, onProgress?: (message: string) => void): Promise<string | undefined> {
  let digest: string | undefined;
  try {
    const stream = (await docker.pull(ref)) as AsyncIterable<Buffer>;
    for await (const event of jsonLines(stream)) {
      if (event.error !== undefined) throw new Error(event.error);
      const announced = /^Digest: (\S+)/.exec(event.status ?? '')?.[1];
      if (announced) digest = announced;
      if (onProgress && event.status) onProgress([event.id, event.status, event.progress].filter(Boolean).join(' '));
    }
  } catch (error) {
    throw engineFailure('pull', ref, error);
  }
  return digest;
}

async function* jsonLines(stream: AsyncIterable<Buffer>): AsyncGenerator<ProgressEvent> {
  let rest = '';
  for await (const bytes of stream) {
    rest += bytes.toString('utf8');
    let newline: number;
    while ((newline = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line !== '') yield JSON.parse(line) as ProgressEvent;
    }
  }
  if (rest.trim() !== '') yield JSON.parse(rest) as ProgressEvent;
}
