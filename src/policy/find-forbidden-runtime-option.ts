import { ok, refuse, type Outcome } from '../api/outcome.js';

/** Keys that name a raw runtime knob wherever they appear (compared in lower case). */
const FORBIDDEN_KEYS: Readonly<Record<string, string>> = {
  runtimeclassname: 'a runtime name',
  runtime: 'a runtime name',
  runtimehandler: 'a runtime name',
  hostpath: 'a host bind mount',
  mounts: 'a host bind mount',
  binds: 'a host bind mount',
  devices: 'host devices',
  capadd: 'added capabilities',
  cap_add: 'added capabilities',
  capabilities: 'added capabilities',
};

/** Boolean knobs: refused unless explicitly `false` (which asks for nothing). */
const FORBIDDEN_FLAGS: Readonly<Record<string, string>> = {
  privileged: 'privileged mode',
  hostnetwork: 'the host network namespace',
  hostpid: 'the host PID namespace',
  hostipc: 'the host IPC namespace',
  hostusers: 'the host user namespace',
};

/** Annotation prefixes that steer the runtime, the CRI plugin or the Kata hypervisor. */
const FORBIDDEN_ANNOTATION_PREFIXES = ['io.katacontainers.', 'io.containerd.', 'io.kubernetes.cri.', 'io.kubernetes.cri-o.'];

/** Maps whose keys are the user's own words, not field names. */
const FREE_FORM_MAPS = new Set(['labels', 'require', 'env']);

const MAX_DEPTH = 64;

/**
 * Looks through a raw manifest or pod spec (before schema validation) for raw
 * runtime knobs (isolation.md section 7): runtime names, Kata/containerd/CRI
 * annotations, host bind mounts, privileged mode, host namespaces, devices and
 * capabilities, at any depth (pod specs at `spec`, `spec.template.spec` and
 * `spec.jobTemplate.spec.template.spec`, containers, `securityContext`). The first
 * one found is `forbidden_runtime_option` with its field path.
 */
export function findForbiddenRuntimeOption(rawManifest: unknown): Outcome<void> {
  return walk(rawManifest, '', 0);
}

function walk(value: unknown, path: string, depth: number): Outcome<void> {
  if (value === null || typeof value !== 'object') return ok(undefined);
  if (depth > MAX_DEPTH) return refuse('validation_failed', `${path || 'body'}: nested too deeply`, { field: path });
  if (Array.isArray(value)) {
    const inVolumes = /(^|\.)volumes$/.test(path);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const at = `${path}[${i}]`;
      // A volume written as "/host/dir:/in/container" is a host bind mount.
      if (inVolumes && typeof item === 'string' && (item.startsWith('/') || item.includes(':'))) return forbidden(at, 'a host bind mount');
      const inner = walk(item, at, depth + 1);
      if (!inner.ok) return inner;
    }
    return ok(undefined);
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const at = path === '' ? key : `${path}.${key}`;
    const lower = key.toLowerCase();
    // Own keys only: a `__proto__` or `constructor` field is the schema's to refuse, not a knob.
    const knob = Object.hasOwn(FORBIDDEN_KEYS, lower) ? FORBIDDEN_KEYS[lower] : undefined;
    if (knob !== undefined) return forbidden(at, knob);
    const flag = Object.hasOwn(FORBIDDEN_FLAGS, lower) ? FORBIDDEN_FLAGS[lower] : undefined;
    if (flag !== undefined && child !== false) return forbidden(at, flag);
    if (lower === 'annotations') {
      const bad = forbiddenAnnotation(child, at);
      if (!bad.ok) return bad;
      continue;
    }
    if (FREE_FORM_MAPS.has(lower)) continue;
    const inner = walk(child, at, depth + 1);
    if (!inner.ok) return inner;
  }
  return ok(undefined);
}

function forbiddenAnnotation(map: unknown, path: string): Outcome<void> {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return ok(undefined);
  for (const key of Object.keys(map)) {
    const lower = key.toLowerCase();
    if (FORBIDDEN_ANNOTATION_PREFIXES.some((p) => lower.startsWith(p))) {
      return forbidden(`${path}["${key}"]`, 'a runtime annotation');
    }
  }
  return ok(undefined);
}

function forbidden(field: string, what: string): Outcome<void> {
  return refuse('forbidden_runtime_option', `${field}: workload specs cannot carry ${what}; idyl picks the runtime from the isolation class`, {
    field,
    hint: 'remove the field; ask for --isolation-class microvm when the workload needs a stronger boundary',
  });
}
