import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Identifiers and secrets the control plane mints. */

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

function randomText(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] ?? 0) % ALPHABET.length];
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

/** A short prefixed id: `node-7fq3k2m9xa`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomText(10)}`;
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
