import { randomBytes } from 'node:crypto';

/**
 * A sandbox name made from its image, like `ubuntu-24-04-sandbox-a1b2c3`: the last path
 * element of the image with its tag (registry, path and digest dropped), lower-cased,
 * every other character turned into `-`, then `-sandbox-` and six hex digits. Always a
 * valid DNS label (at most 63 characters).
 */
export function sandboxName(image: string, suffix: string = randomBytes(3).toString('hex')): string {
  const noDigest = image.split('@')[0] ?? '';
  const last = noDigest.split('/').at(-1) ?? '';
  const base = last
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - '-sandbox-'.length - suffix.length)
    .replace(/-+$/, '');
  return `${base || 'image'}-sandbox-${suffix}`;
}
