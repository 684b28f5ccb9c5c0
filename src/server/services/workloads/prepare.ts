import { IdylError } from '../../../api/errors.js';
import type { TSchema } from '@sinclair/typebox';
import {
  DeploymentManifestSchema,
  PodManifestSchema,
  SandboxManifestSchema,
  WORKLOAD_KINDS,
  type DeploymentManifest,
  type PodSpec,
  type SandboxManifest,
  type WorkloadKind,
  type WorkloadManifest,
} from '../../../api/schemas/workload.js';
import { Name } from '../../../api/schemas/common.js';
import { parseDuration } from '../../../api/quantity.js';
import { validate } from '../../../api/validate.js';
import type { FrozenIsolation } from '../../../api/workload.js';
import type { Actor } from '../../auth/principal.js';
import type { SubnetRow } from '../../store/rows.js';
import { checkDeveloperAdmission } from '../admission.js';
import type { ServiceDeps } from '../deps.js';
import { findForbiddenRuntimeOption, resolveIsolation } from '../policy-port.js';
import { findSubnet } from '../subnets.js';
import { shapePod, type PodShape } from './pod-shape.js';

const SCHEMAS: Record<WorkloadKind, TSchema> = { Pod: PodManifestSchema, Deployment: DeploymentManifestSchema, Sandbox: SandboxManifestSchema };

/** The longest TTL a Sandbox may ask for. */
const MAX_SANDBOX_TTL_MS = 30 * 86_400_000;

/** A submission that passed every gate, ready to be stored. */
export interface Prepared {
  readonly manifest: WorkloadManifest;
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly subnet: SubnetRow;
  /** The pod spec (a Pod's spec, or the template's). */
  readonly podSpec: PodSpec;
  readonly shape: PodShape;
  readonly isolation: FrozenIsolation;
  /** Why the account was admitted (audited unless it owns the subnet). */
  readonly admittedBy: 'owner' | 'open' | 'granted';
  readonly ttlMs?: number;
}

/** Where each kind keeps its pod spec. */
export function podSpecPath(kind: WorkloadKind): string {
  return kind === 'Pod' ? 'spec' : 'spec.template.spec';
}

/**
 * Runs a raw manifest through every gate, in the order a user meets them:
 * forbidden runtime knobs, shape, namespace, subnet, deploy approval, developer
 * admission, quantities, then class resolution (isolation.md section 3). The
 * namespace of the request path must be a name like any other, since it is stored
 * with the workload (docs/access.md, Namespaces). Refusals
 * throw `IdylError`s with stable codes; nothing is stored here.
 */
export async function prepareSubmission(deps: ServiceDeps, actor: Actor, namespace: string, raw: unknown): Promise<Prepared> {
  const pathNamespace = validate(Name, namespace, 'namespace');
  if (!pathNamespace.ok) throw pathNamespace.error;
  const forbidden = findForbiddenRuntimeOption(raw);
  if (!forbidden.ok) throw forbidden.error;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new IdylError('validation_failed', 'body: a manifest is a JSON object with kind, metadata and spec', { field: '' });
  const kind = (raw as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(WORKLOAD_KINDS, kind)) {
    throw new IdylError('validation_failed', `kind: must be one of ${Object.keys(WORKLOAD_KINDS).join(', ')}`, { field: 'kind', allowed: Object.keys(WORKLOAD_KINDS) });
  }
  const k = kind as WorkloadKind;
  const checked = validate(SCHEMAS[k], raw);
  if (!checked.ok) throw checked.error;
  const manifest = checked.value as WorkloadManifest;

  const ns = manifest.metadata.namespace;
  const nsName = typeof ns === 'string' ? ns : ns?.namespace;
  if (nsName !== undefined && nsName !== namespace) {
    throw new IdylError('validation_failed', `metadata.namespace: "${nsName}" differs from the request's namespace "${namespace}"`, { field: 'metadata.namespace' });
  }
  if (typeof ns === 'object' && ns.accountId && ns.accountId !== actor.accountId) {
    throw new IdylError('forbidden', `metadata.namespace.accountId ${ns.accountId} is not the account this token acts for`, { field: 'metadata.namespace.accountId' });
  }
  if (!manifest.metadata.subnet) {
    throw new IdylError('validation_failed', 'metadata.subnet: required', { field: 'metadata.subnet', hint: 'pass --subnet or save one in your context (`idyl context edit --set-subnet S`)' });
  }
  const subnet = await findSubnet(deps.store.read, manifest.metadata.subnet);
  if (!(await deps.store.read.approvals.has(actor.accountId, subnet.id))) {
    throw new IdylError('subnet_not_approved', `account ${actor.accountId} has not approved subnet ${subnet.name ?? subnet.slug} for deploys`, { hint: `idyl subnet approve ${subnet.name ?? subnet.slug}` });
  }
  const admittedBy = await checkDeveloperAdmission(deps, actor.principal, actor.accountId, subnet);

  const path = podSpecPath(k);
  const podSpec: PodSpec = k === 'Pod' ? (manifest.spec as PodSpec) : (manifest as DeploymentManifest | SandboxManifest).spec.template.spec;
  const shape = shapePod(podSpec, path);
  if (!shape.ok) throw shape.error;
  if (k !== 'Pod' && podSpec.restartPolicy && podSpec.restartPolicy !== 'always' && k === 'Deployment') {
    throw new IdylError('validation_failed', `${path}.restartPolicy: a Deployment's pods restart always`, { field: `${path}.restartPolicy`, allowed: ['always'] });
  }
  let ttlMs: number | undefined;
  if (k === 'Sandbox') {
    const d = parseDuration((manifest as SandboxManifest).spec.ttl, 'spec.ttl');
    if (!d.ok) throw d.error;
    if (d.value < 1000 || d.value > MAX_SANDBOX_TTL_MS) throw new IdylError('validation_failed', 'spec.ttl: between 1s and 30d', { field: 'spec.ttl' });
    ttlMs = d.value;
  }
  const iso = resolveIsolation(subnet.runtimePolicy, podSpec.isolation?.class, shape.value.gpu, `${path}.isolation.class`);
  if (!iso.ok) {
    const e = iso.error;
    // GPU refusals are about the pod spec's gpu field, wherever the kind keeps its pod spec.
    const gpuRefusal = e.code === 'microvm_gpu_not_allowed' || e.code === 'microvm_gpu_backend_unsupported';
    throw new IdylError(e.code, e.message, { ...e.details, field: gpuRefusal ? `${path}.gpu` : e.details?.field ?? `${path}.isolation.class` });
  }
  return { manifest, kind: k, namespace, subnet, podSpec, shape: shape.value, isolation: iso.value, admittedBy, ...(ttlMs !== undefined ? { ttlMs } : {}) };
}
