import { invalidField } from '../../../api/errors.js';
import { parseGpuRequest, type GpuRequest } from '../../../api/gpu.js';
import { isPlatform, PLATFORMS, type Platform } from '../../../api/isolation.js';
import { ok, refuse, type Outcome } from '../../../api/outcome.js';
import { parseBytes, parseCpu } from '../../../api/quantity.js';
import type { PodSpec } from '../../../api/schemas/workload.js';
import { parseRequirement } from '../policy-port.js';

/** What a request asks for when it states neither a request nor a limit. */
export const DEFAULT_REQUEST = { cpuMillis: 100, memoryBytes: 128 * 2 ** 20 } as const;

/** The least CPU a pod may ask for or be limited to: the kernel's smallest CFS quota (1 ms per 100 ms period). */
export const MIN_CPU_MILLIS = 10;

/** The least memory a pod may ask for or be limited to: Docker Engine refuses a smaller limit. */
export const MIN_MEMORY_BYTES = 6 * 2 ** 20;

/** A pod spec's numbers, parsed once at submit: what the scheduler counts and the engine enforces. */
export interface PodShape {
  /** Requests (the limit when only a limit is given; defaults when neither). */
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /** Limits the engine applies: the stated limit, else the request. */
  readonly limitCpuMillis: number;
  readonly limitMemoryBytes: number;
  readonly gpu?: GpuRequest;
  readonly platform?: Platform;
  readonly require: Readonly<Record<string, string>>;
}

/** Parses and checks a pod spec found at `path` (e.g. `spec.template.spec`). */
export function shapePod(spec: PodSpec, path: string): Outcome<PodShape> {
  const c = spec.containers[0];
  if (!c) return { ok: false, error: invalidField(`${path}.containers`, 'one container is required') };
  const base = `${path}.containers[0].resources`;
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const num = (v: unknown, f: string, parse: typeof parseCpu): Outcome<number | undefined> => (v === undefined ? ok(undefined) : parse(v, f));
  const rc = num(req.cpu, `${base}.requests.cpu`, parseCpu);
  if (!rc.ok) return rc;
  const rm = num(req.memory, `${base}.requests.memory`, parseBytes);
  if (!rm.ok) return rm;
  const lc = num(lim.cpu, `${base}.limits.cpu`, parseCpu);
  if (!lc.ok) return lc;
  const lm = num(lim.memory, `${base}.limits.memory`, parseBytes);
  if (!lm.ok) return lm;
  for (const [v, f] of [[req.disk, `${base}.requests.disk`], [lim.disk, `${base}.limits.disk`]] as const) {
    const d = num(v, f, parseBytes);
    if (!d.ok) return d;
  }
  const cpuMillis = rc.value ?? lc.value ?? DEFAULT_REQUEST.cpuMillis;
  const memoryBytes = rm.value ?? lm.value ?? DEFAULT_REQUEST.memoryBytes;
  if (lc.value !== undefined && lc.value < cpuMillis) return refuse('validation_failed', `${base}.limits.cpu: less than the request`, { field: `${base}.limits.cpu` });
  if (lm.value !== undefined && lm.value < memoryBytes) return refuse('validation_failed', `${base}.limits.memory: less than the request`, { field: `${base}.limits.memory` });
  // The smallest values the engines enforce: a lower (or zero) one would be refused on the
  // node long after submit, or, as 0, run the workload with no limit at all.
  const cpuField = `${base}.${rc.value !== undefined ? 'requests' : 'limits'}.cpu`;
  if (cpuMillis < MIN_CPU_MILLIS) return refuse('validation_failed', `${cpuField}: at least ${MIN_CPU_MILLIS}m (the smallest CPU quota the kernel enforces)`, { field: cpuField });
  const memField = `${base}.${rm.value !== undefined ? 'requests' : 'limits'}.memory`;
  if (memoryBytes < MIN_MEMORY_BYTES) return refuse('validation_failed', `${memField}: at least 6Mi (the smallest memory limit the engines enforce)`, { field: memField });

  let gpu: GpuRequest | undefined;
  if (spec.gpu !== undefined) {
    const g = parseGpuRequest(spec.gpu, `${path}.gpu`);
    if (!g.ok) return g;
    gpu = g.value;
  }
  let platform: Platform | undefined;
  if (spec.platform !== undefined) {
    if (!isPlatform(spec.platform)) return refuse('validation_failed', `${path}.platform: "${spec.platform}" is not a platform`, { field: `${path}.platform`, allowed: [...PLATFORMS] });
    platform = spec.platform;
  }
  const require: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.require ?? {})) {
    const r = parseRequirement(k, v, `${path}.require`);
    if (!r.ok) return { ok: false, error: r.error };
    require[k] = v;
  }
  return ok({
    cpuMillis,
    memoryBytes,
    limitCpuMillis: lc.value ?? cpuMillis,
    limitMemoryBytes: lm.value ?? memoryBytes,
    ...(gpu ? { gpu } : {}),
    ...(platform ? { platform } : {}),
    require,
  });
}
