import { ok, refuse, type Outcome } from '../api/outcome.js';

/** Comparison operators of a `require` expression (`==` is read as `=`). */
export type RequirementOperator = '>=' | '>' | '<=' | '<' | '=' | '!=';

/** One parsed host requirement, e.g. `cuda >=13.0`. */
export interface Requirement {
  /** The host attribute it reads, e.g. `cuda`, `kernel`, `os`. */
  readonly key: string;
  readonly operator: RequirementOperator;
  /** The value as written, e.g. `13.0` or `debian`. */
  readonly value: string;
  /** The value's numeric components when it is a dotted version (`13.0` → [13, 0]). */
  readonly version?: readonly number[];
  /** How people read it: `cuda >=13.0`. */
  readonly text: string;
}

const KEY_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const EXPR_RE = /^(>=|<=|==|!=|>|<|=)?\s*([A-Za-z0-9][A-Za-z0-9._+~-]{0,127})$/;
const VERSION_RE = /^\d{1,9}(?:\.\d{1,9}){0,7}$/;
const LEADING_VERSION_RE = /^v?(\d{1,9}(?:\.\d{1,9}){0,7})/;

/**
 * Parses one `require` entry (`key: expr`). `expr` is an operator (`>= > <= < = == !=`)
 * followed by a value, or a bare value meaning equality. Ordering operators need a
 * dotted numeric version (`>=13.0`). A malformed entry is `validation_failed`
 * naming `<fieldPrefix>.<key>` (default `spec.require.<key>`).
 */
export function parseRequirement(key: string, expr: string, fieldPrefix = 'spec.require'): Outcome<Requirement> {
  const field = `${fieldPrefix}.${key}`;
  if (!KEY_RE.test(key)) {
    return refuse('validation_failed', `${field}: a requirement name is lower-case letters, digits, '.', '_' and '-', such as cuda or kernel`, { field });
  }
  const m = typeof expr === 'string' ? EXPR_RE.exec(expr.trim()) : null;
  if (!m) {
    return refuse('validation_failed', `${field}: "${String(expr)}" is not a requirement; write an operator (>=, >, <=, <, =, !=) and a value, e.g. ">=13.0" or "debian"`, {
      field,
      allowed: ['>=', '>', '<=', '<', '=', '==', '!='],
    });
  }
  const operator: RequirementOperator = m[1] === undefined || m[1] === '==' ? '=' : (m[1] as RequirementOperator);
  const value = m[2] ?? '';
  const version = VERSION_RE.test(value) ? Object.freeze(value.split('.').map(Number)) : undefined;
  if (version === undefined && operator !== '=' && operator !== '!=') {
    return refuse('validation_failed', `${field}: "${expr}" compares with ${operator}, which needs a version such as 13.0 or 6.1`, { field });
  }
  const requirement: Requirement = { key, operator, value, text: `${key} ${operator}${value}`, ...(version ? { version } : {}) };
  return ok(Object.freeze(requirement));
}

const NO_REQUIREMENTS: Outcome<readonly Requirement[]> = Object.freeze({ ok: true, value: Object.freeze([]) });

/**
 * Parses a whole `require` map, in key order (so the first unmet requirement a
 * node reports is the same every time). The first malformed entry refuses the map.
 */
export function parseRequirements(map: Readonly<Record<string, string>> | undefined, fieldPrefix = 'spec.require'): Outcome<readonly Requirement[]> {
  if (map === undefined) return NO_REQUIREMENTS;
  const out: Requirement[] = [];
  for (const key of Object.keys(map).sort()) {
    const parsed = parseRequirement(key, map[key] as string, fieldPrefix);
    if (!parsed.ok) return parsed;
    out.push(parsed.value);
  }
  return ok(Object.freeze(out));
}

/** A host attribute prepared for comparisons (parse once, compare often). */
export interface ParsedAttribute {
  /** Trimmed, lower case: for word comparisons. */
  readonly word: string;
  /** The leading dotted version (`6.1.0-18-amd64` → [6, 1, 0]; a leading `v` is skipped). */
  readonly version: readonly number[] | undefined;
}

/** Prepares an attribute value for `requirementMet`. */
export function parseAttribute(value: string): ParsedAttribute {
  const trimmed = value.trim();
  const leading = LEADING_VERSION_RE.exec(trimmed)?.[1];
  return { word: trimmed.toLowerCase(), version: leading === undefined ? undefined : leading.split('.').map(Number) };
}

/**
 * True when a host attribute value satisfies the requirement. A missing attribute
 * never does (not even `!=`: what a node does not report cannot be vouched for).
 * Versions compare numerically by component (`13.0` = `13`, `6.10` > `6.9`), reading
 * the attribute's leading version (`6.1.0-18-amd64` → 6.1.0); other values compare
 * as whole words, case-insensitively. The attribute may be given already parsed.
 */
export function requirementMet(requirement: Requirement, attribute: string | ParsedAttribute | undefined): boolean {
  if (attribute === undefined) return false;
  const cmp = compareTo(requirement, typeof attribute === 'string' ? parseAttribute(attribute) : attribute);
  if (cmp === undefined) return false;
  switch (requirement.operator) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>=':
      return cmp >= 0;
    case '>':
      return cmp > 0;
    case '<=':
      return cmp <= 0;
    case '<':
      return cmp < 0;
  }
}

/** Attribute compared with the requirement's value: negative, zero, positive; undefined when incomparable. */
function compareTo(requirement: Requirement, attribute: ParsedAttribute): number | undefined {
  if (requirement.version && attribute.version) return compareVersions(attribute.version, requirement.version);
  if (requirement.version && requirement.operator !== '=' && requirement.operator !== '!=') return undefined;
  return attribute.word === requirement.value.toLowerCase() ? 0 : 1;
}

/** Component-wise numeric comparison; missing components count as zero. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
