import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Identifiers and secrets the control plane mints. */

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Random bytes for ids, drawn 4 KiB at a time (one call per id showed in the API's profile). */
let pool = Buffer.alloc(0);
let used = 0;

function randomText(length: number): string {
  if (used + length > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  let out = '';
  // 256 is a multiple of 32: each character is uniform.
  for (let i = 0; i < length; i++) out += ALPHABET[(pool[used + i] ?? 0) % ALPHABET.length];
  used += length;
  return out;
}

/** A 12-digit account id (never starting with 0). */
export function newAccountId(): string {
  return String(randomInt(1, 10)) + Array.from({ length: 11 }, () => String(randomInt(0, 10))).join('');
}

/** A numeric subnet slug. */
export function newSubnetSlug(): string {
  return String(randomInt(10_000_000, 100_000_000));
}

/** The same characters in byte order, for text that must sort like the number it encodes. */
const SORTED_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz';

/** `ms` as 9 characters that sort as the number does (45 bits: until the year 3084). */
function timeText(ms: number): string {
  let out = '';
  for (let i = 0, t = ms; i < 9; i++, t = Math.floor(t / 32)) out = (SORTED_ALPHABET[t % 32] as string) + out;
  return out;
}

/**
 * A prefixed id: `pod-aaq5w8bxe7fq3k2m`, 9 characters of the time it was minted (in
 * milliseconds) and 7 random ones (35 bits, per millisecond). Ids minted later sort
 * after earlier ones, so each new row's entries land at the end of the store's indexes
 * on ids (a row's own, and its events') instead of on a random page of each: a commit
 * then writes a few pages rather than one per index entry. The time an id shows is its
 * row's `createdAt` anyway.
 */
export function newId(prefix: string): string {
  return `${prefix}-${timeText(Date.now())}${randomText(7)}`;
}

/** A 5-character suffix for generated names (pods of a Deployment). */
export function nameSuffix(): string {
  return randomText(5);
}

/** A token secret: prefix + 40 random characters (about 200 bits). */
export function newSecret(kind: 'pat' | 'node'): string {
  return `idyl_${kind}_${randomBytes(30).toString('base64url')}`;
}

/** How secrets are stored: SHA-256 (secrets are random and long, so a fast hash is enough). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
