import { usageError } from '../cli-error.js';

/** A workload kind as the API names it (`Pod`) and in paths (`pods`). */
export interface KindRef {
  readonly kind: string;
  readonly plural: string;
}

const KINDS: ReadonlyArray<KindRef & { readonly words: readonly string[] }> = [
  { kind: 'Pod', plural: 'pods', words: ['pod', 'pods', 'po'] },
  { kind: 'Deployment', plural: 'deployments', words: ['deployment', 'deployments', 'deploy'] },
  { kind: 'Sandbox', plural: 'sandboxes', words: ['sandbox', 'sandboxes'] },
  { kind: 'ReplicaSet', plural: 'replicasets', words: ['replicaset', 'replicasets', 'rs'] },
  { kind: 'Job', plural: 'jobs', words: ['job', 'jobs'] },
  { kind: 'CronJob', plural: 'cronjobs', words: ['cronjob', 'cronjobs', 'cj'] },
];

/** The kind names `idyl get` accepts, for help and errors. */
export const KIND_WORDS = KINDS.map((k) => k.plural);

/**
 * Resolves a KIND argument (plural, singular, short form or the API kind, any case).
 * An unknown word is a usage error listing the kinds; whether the server serves a
 * known kind is the server's answer.
 */
export function parseKind(word: string): KindRef {
  const w = word.toLowerCase();
  const found = KINDS.find((k) => k.words.includes(w));
  if (!found) throw usageError(`unknown kind "${word}"; kinds are ${KIND_WORDS.join(', ')}`, 'idyl get pods');
  return { kind: found.kind, plural: found.plural };
}

/** The path plural of a manifest's `kind` (`Deployment` → `deployments`); unknown kinds are lower-cased and pluralised. */
export function pluralOfKind(kind: string): string {
  const found = KINDS.find((k) => k.kind === kind);
  if (found) return found.plural;
  const w = kind.toLowerCase();
  return w.endsWith('s') || w.endsWith('x') ? `${w}es` : `${w}s`;
}
