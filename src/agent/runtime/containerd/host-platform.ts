import type { BlobDescriptor } from './oci-image.js';

/** An OCI platform triple. */
export interface OciPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The platform of the machine this process runs on, in OCI words. */
export function hostPlatform(): OciPlatform {
  const architecture = ARCH[process.arch] ?? process.arch;
  return { os: 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : {}) };
}

/**
 * The manifest of an index that runs on `platform`: same OS and architecture, the
 * variant when both state one (arm64's `v8` is its default), first match wins.
 * Undefined when the index has no entry for the platform.
 */
export function selectPlatformManifest(manifests: readonly BlobDescriptor[], platform: OciPlatform): BlobDescriptor | undefined {
  const candidates = manifests.filter((m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture);
  const exact = candidates.find((m) => (m.platform?.variant ?? defaultVariant(platform.architecture)) === (platform.variant ?? defaultVariant(platform.architecture)));
  return exact ?? candidates.find((m) => m.platform?.variant === undefined);
}

function defaultVariant(architecture: string): string | undefined {
  return architecture === 'arm64' ? 'v8' : undefined;
}

/** `os/architecture[/variant]`, for messages. */
export function formatPlatform(platform: OciPlatform): string {
  return `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
}
