import { Type, type Static } from '@sinclair/typebox';
import { Closed, Name, Quantity, StringMap } from './common.js';

/** Requests or limits of one container. */
export const ResourceListSchema = Closed({ cpu: Type.Optional(Quantity), memory: Type.Optional(Quantity), disk: Type.Optional(Quantity) });

export const EnvVarSchema = Closed({
  name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 256 }),
  value: Type.String({ maxLength: 32768 }),
});

/** One container of a pod spec. */
export const ContainerSpecSchema = Closed({
  name: Type.Optional(Name),
  imageURI: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$' }),
  imageDigest: Type.Optional(Type.String({ pattern: '^sha256:[a-f0-9]{64}$' })),
  imagePullPolicy: Type.Optional(Type.Union([Type.Literal('always'), Type.Literal('if_not_present'), Type.Literal('never')])),
  command: Type.Optional(Type.Array(Type.String({ maxLength: 16384 }), { maxItems: 256 })),
  args: Type.Optional(Type.Array(Type.String({ maxLength: 16384 }), { maxItems: 256 })),
  env: Type.Optional(Type.Array(EnvVarSchema, { maxItems: 256 })),
  resources: Type.Optional(Closed({ requests: Type.Optional(ResourceListSchema), limits: Type.Optional(ResourceListSchema) })),
});
export type ContainerSpec = Static<typeof ContainerSpecSchema>;

/**
 * The pod spec shared by every workload kind. `isolation.class` stays a free string
 * here so that an unknown value reaches class resolution and gets its hint.
 */
export const PodSpecSchema = Closed({
  containers: Type.Array(ContainerSpecSchema, { minItems: 1, maxItems: 1, description: 'one container per pod in this version' }),
  restartPolicy: Type.Optional(Type.Union([Type.Literal('always'), Type.Literal('on_failure'), Type.Literal('never')])),
  platform: Type.Optional(Type.String({ maxLength: 64 })),
  isolation: Type.Optional(Closed({ class: Type.Optional(Type.String({ maxLength: 64 })) })),
  network: Type.Optional(Closed({ class: Type.Union([Type.Literal('none'), Type.Literal('restricted-egress'), Type.Literal('unrestricted')]) })),
  gpu: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Integer({ minimum: 1, maximum: 999 })])),
  require: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', maxLength: 63 }), Type.String({ maxLength: 128 }), { maxProperties: 32 })),
  /** What the provider of the node running the pod may read besides name, image, class and state. */
  shareWithProvider: Type.Optional(Type.Array(Type.Union([Type.Literal('logs'), Type.Literal('env')]), { maxItems: 2, uniqueItems: true })),
});
export type PodSpec = Static<typeof PodSpecSchema>;

/** Metadata a manifest may carry; read-only fields are refused. */
export const ManifestMetadataSchema = Closed({
  name: Name,
  subnet: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  namespace: Type.Optional(Type.Union([Name, Closed({ accountId: Type.Optional(Type.String({ pattern: '^\\d{12}$' })), namespace: Name })])),
  labels: Type.Optional(StringMap),
  annotations: Type.Optional(StringMap),
});

const TemplateSchema = Closed({
  metadata: Type.Optional(Closed({ labels: Type.Optional(StringMap), annotations: Type.Optional(StringMap) })),
  spec: PodSpecSchema,
});

export const PodManifestSchema = Closed({ kind: Type.Literal('Pod'), metadata: ManifestMetadataSchema, spec: PodSpecSchema });
export const DeploymentSpecSchema = Closed({
  replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  template: TemplateSchema,
});
export const DeploymentManifestSchema = Closed({
  kind: Type.Literal('Deployment'),
  metadata: ManifestMetadataSchema,
  spec: DeploymentSpecSchema,
});
export const SandboxSpecSchema = Closed({ ttl: Type.String({ minLength: 2, maxLength: 32 }), template: TemplateSchema });
export const SandboxManifestSchema = Closed({ kind: Type.Literal('Sandbox'), metadata: ManifestMetadataSchema, spec: SandboxSpecSchema });

/** Every manifest kind the API accepts. */
export const WorkloadManifestSchema = Type.Union([PodManifestSchema, DeploymentManifestSchema, SandboxManifestSchema]);
export type PodManifest = Static<typeof PodManifestSchema>;
export type DeploymentManifest = Static<typeof DeploymentManifestSchema>;
export type SandboxManifest = Static<typeof SandboxManifestSchema>;
export type WorkloadManifest = Static<typeof WorkloadManifestSchema>;
export type ManifestMetadata = Static<typeof ManifestMetadataSchema>;

/** The workload kinds, with the plural the API paths and `idyl get` use. */
export const WORKLOAD_KINDS = { Pod: 'pods', Deployment: 'deployments', Sandbox: 'sandboxes' } as const;
export type WorkloadKind = keyof typeof WORKLOAD_KINDS;
