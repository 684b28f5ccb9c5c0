import { execFile } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inCI, unavailableReason, type DaemonCheck } from './daemon-gate.js';
import { registryCheck, TEST_REGISTRY } from './probes.js';
import { manifestDigest, type RegistryImage } from './registry.js';

/** The busybox test image in the local registry. */
export type TestImage = RegistryImage;

/** Where the image lives: `idyl/busybox:1.35` in the test registry. */
export const TEST_IMAGE_REPOSITORY = 'idyl/busybox';
export const TEST_IMAGE_TAG = '1.35';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/image/build-busybox-image.mjs', import.meta.url));
let ensured: Promise<TestImage> | undefined;

/**
 * Makes sure the busybox test image is in the test registry and returns it. When
 * the registry already holds `idyl/busybox:1.35` it is used as is (the build is
 * reproducible, so building again would give the same digest); otherwise it is
 * built from Debian's busybox-static and pushed (scripts/image/build-busybox-image.mjs).
 * Done once per process. Rejects with the reason when the registry is down or
 * the image cannot be built.
 */
export function ensureTestImage(): Promise<TestImage> {
  ensured ??= build().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

/** A {@link DaemonCheck} that passes when the test image is (or can be made) available. */
export function testImageCheck(): DaemonCheck {
  return { name: `the busybox test image in ${TEST_REGISTRY}`, probe: async () => void (await ensureTestImage()) };
}

/**
 * For a test that needs the image: returns it, or skips the test with the reason
 * (fails it under CI=true) when the registry is down or the image cannot be made.
 */
export async function testImage(t: TestContext): Promise<TestImage | undefined> {
  const reason = await unavailableReason(testImageCheck());
  if (reason === undefined) return ensureTestImage();
  if (inCI()) throw new Error(`${reason} (CI=true: a missing daemon fails the test)`);
  t.skip(reason);
  return undefined;
}

async function build(): Promise<TestImage> {
  const reachable = await unavailableReason(registryCheck(TEST_REGISTRY));
  if (reachable !== undefined) throw new Error(reachable);
  const image = (digest: string): TestImage => ({
    registry: TEST_REGISTRY,
    repository: TEST_IMAGE_REPOSITORY,
    ref: `${TEST_REGISTRY}/${TEST_IMAGE_REPOSITORY}:${TEST_IMAGE_TAG}`,
    digest,
  });
  const present = await manifestDigest(TEST_REGISTRY, TEST_IMAGE_REPOSITORY, TEST_IMAGE_TAG);
  if (present !== undefined) return image(present);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [BUILD_SCRIPT, '--registry', TEST_REGISTRY, '--repo', TEST_IMAGE_REPOSITORY, '--tag', TEST_IMAGE_TAG],
    { timeout: 120_000 },
  );
  const built = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { digest?: string };
  if (typeof built.digest !== 'string') throw new Error(`build-busybox-image printed no digest: ${stdout}`);
  return image(built.digest);
}
