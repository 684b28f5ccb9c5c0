import fc from 'fast-check';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where a value sits in a document: object keys and array indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

/** One change to a document. */
export type Mutation =
  | { readonly kind: 'swap-type'; readonly at: number; readonly value: Json }
  | { readonly kind: 'remove'; readonly at: number }
  | { readonly kind: 'add-field'; readonly at: number; readonly key: string; readonly value: Json }
  | { readonly kind: 'huge-string'; readonly at: number; readonly length: number }
  | { readonly kind: 'deep'; readonly at: number; readonly depth: number; readonly shape: 'array' | 'object' }
  | { readonly kind: 'unicode'; readonly at: number; readonly text: string };

/** Strings people (and attackers) paste: emoji, right-to-left, NUL, lone surrogates, look-alikes. */
const UNICODE = [
  '🚀microvm',
  'micrоvm', // Cyrillic о
  'ｍｉｃｒｏｖｍ',
  'مرحبا',
  '\u202emicrovm',
  'a\u0000b',
  '\ud800',
  'e\u0301',
  'Ⅻ',
  '\u200b',
  '💥'.repeat(300),
  '',
  ' ',
];

const ODD_VALUES: Json[] = [0, -1, 1.5, 1e308, -1e308, 9007199254740993, '', 'x', 'true', '1Zi', 'abc', true, false, null, [], {}, [1, 'a'], { x: 1 }, ['container'], { class: 'microvm' }];
const ODD_KEYS = ['extra', 'Kind', 'spec', 'metadata', 'isolation', '🔑', '', ' ', '__proto__', 'constructor', 'runtimeClassName', 'privileged', 'a'.repeat(300)];

/** A fast-check generator of 1 to 3 mutations; `at` picks a node by index (modulo the node count). */
export function mutationsArb(): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: 10_000 });
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('swap-type' as const), at, value: fc.constantFrom(...ODD_VALUES) }),
    fc.record({ kind: fc.constant('remove' as const), at }),
    fc.record({ kind: fc.constant('add-field' as const), at, key: fc.constantFrom(...ODD_KEYS), value: fc.constantFrom(...ODD_VALUES) }),
    fc.record({ kind: fc.constant('huge-string' as const), at, length: fc.constantFrom(1_000, 70_000, 1_200_000) }),
    fc.record({ kind: fc.constant('deep' as const), at, depth: fc.constantFrom(70, 2_000, 20_000), shape: fc.constantFrom('array' as const, 'object' as const) }),
    fc.record({ kind: fc.constant('unicode' as const), at, text: fc.constantFrom(...UNICODE) }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

/** Every path in `doc`, the root first, in document order. */
export function pathsOf(doc: Json, prefix: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

const DEEP_MARK = '\u0000deep\u0000';

/**
 * Applies the mutations to a copy of `doc` and returns the request body text. Deep
 * nesting is written straight into the text, so neither this process's JSON encoder
 * nor the test's stack limits how deep it goes.
 */
export function mutateToText(doc: Json, mutations: readonly Mutation[]): string {
  let current: Json = structuredClone(doc);
  const deep: string[] = [];
  for (const m of mutations) {
    const paths = pathsOf(current);
    const path = paths[m.at % paths.length] as JsonPath;
    current = apply(current, path, m, deep);
  }
  let text = JSON.stringify(current);
  deep.forEach((chunk, i) => {
    text = text.replace(JSON.stringify(`${DEEP_MARK}${i}`), chunk);
  });
  return text;
}

function apply(doc: Json, path: JsonPath, m: Mutation, deep: string[]): Json {
  switch (m.kind) {
    case 'swap-type':
      return setAt(doc, path, m.value);
    case 'remove':
      return path.length === 0 ? doc : removeAt(doc, path);
    case 'add-field': {
      const target = getAt(doc, path);
      if (target === null || typeof target !== 'object' || Array.isArray(target)) return setAt(doc, path, { [m.key]: m.value });
      return setAt(doc, path, { ...target, [m.key]: m.value });
    }
    case 'huge-string':
      return setAt(doc, path, 'x'.repeat(m.length));
    case 'deep': {
      const open = m.shape === 'array' ? '[' : '{"a":';
      const close = m.shape === 'array' ? ']' : '}';
      deep.push(`${open.repeat(m.depth)}1${close.repeat(m.depth)}`);
      return setAt(doc, path, `${DEEP_MARK}${deep.length - 1}`);
    }
    case 'unicode':
      return setAt(doc, path, m.text);
  }
}

function getAt(doc: Json, path: JsonPath): Json | undefined {
  let cur: Json | undefined = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, Json>)[k as string];
  }
  return cur;
}

function setAt(doc: Json, path: JsonPath, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy = [...doc];
    copy[head as number] = setAt(copy[head as number] as Json, rest, value);
    return copy;
  }
  const obj = doc as Record<string, Json>;
  return { ...obj, [head as string]: setAt(obj[head as string] as Json, rest, value) };
}

function removeAt(doc: Json, path: JsonPath): Json {
  const [head, ...rest] = path;
  if (rest.length > 0) {
    if (Array.isArray(doc)) {
      const copy = [...doc];
      copy[head as number] = removeAt(copy[head as number] as Json, rest);
      return copy;
    }
    const obj = doc as Record<string, Json>;
    return { ...obj, [head as string]: removeAt(obj[head as string] as Json, rest) };
  }
  if (Array.isArray(doc)) return doc.filter((_, i) => i !== head);
  const { [head as string]: _gone, ...kept } = doc as Record<string, Json>;
  return kept;
}
