import { Type, type Static } from '@sinclair/typebox';
import { Closed, Name, Quantity } from './common.js';

/** A runtime policy as sent by clients; values are checked by policy validation. */
export const RuntimePolicySchema = Closed({
  allowedIsolationClasses: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 })),
  defaultIsolationClass: Type.Optional(Type.String({ maxLength: 64 })),
  requireExplicitIsolationClass: Type.Optional(Type.Boolean()),
  allowedVMMBackends: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 })),
  microvmGPU: Type.Optional(Type.Boolean()),
});

/** A runtime-policy patch: a field set to null is removed (JSON merge patch). */
export const RuntimePolicyPatchSchema = Closed({
  allowedIsolationClasses: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 }), Type.Null()])),
  defaultIsolationClass: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  requireExplicitIsolationClass: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  allowedVMMBackends: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 }), Type.Null()])),
  microvmGPU: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
});

const Region = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63, description: 'a region such as us-east' });

export const CreateSubnetSchema = Closed({
  region: Region,
  name: Type.Optional(Name),
  runtimePolicy: Type.Optional(RuntimePolicySchema),
});
export type CreateSubnetRequest = Static<typeof CreateSubnetSchema>;

/** `runtimePolicy: null` clears the policy; a field set to null is removed. */
export const EditSubnetSchema = Closed({
  runtimePolicy: Type.Optional(Type.Union([RuntimePolicyPatchSchema, Type.Null()])),
});
export type EditSubnetRequest = Static<typeof EditSubnetSchema>;

export const AdmissionModeSchema = Closed({
  mode: Type.Union([Type.Literal('open'), Type.Literal('approval'), Type.Literal('invite')]),
});

export const AdmissionGrantSchema = Closed({
  developerAccount: Type.Optional(Type.String({ pattern: '^\\d{12}$', description: 'a 12-digit account id' })),
  providerFleet: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  providerNode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type AdmissionGrantRequest = Static<typeof AdmissionGrantSchema>;

export const CreateAccountSchema = Closed({ name: Type.String({ minLength: 1, maxLength: 128 }) });
export const CreateTokenSchema = Closed({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  /** A duration such as `30d` or `12h`. */
  expiresIn: Type.Optional(Type.String({ maxLength: 32 })),
  accountId: Type.Optional(Type.String({ pattern: '^\\d{12}$', description: 'a 12-digit account id' })),
});
export type CreateTokenRequest = Static<typeof CreateTokenSchema>;

export const FleetSchema = Closed({ name: Type.String({ minLength: 1, maxLength: 128 }) });

/** The report a node sends at join and with heartbeats (checked in depth by the node service). */
export const CapabilityReportSchema = Type.Object(
  {
    runtimeProfile: Type.String({ maxLength: 64 }),
    verified: Type.Boolean(),
    checks: Type.Array(Closed({ name: Type.String({ maxLength: 128 }), ok: Type.Boolean(), detail: Type.String({ maxLength: 2048 }) }), { maxItems: 64 }),
    platform: Type.String({ maxLength: 64 }),
    kernel: Type.String({ maxLength: 256 }),
    capacity: Closed({ cpuMillis: Type.Integer({ minimum: 0 }), memoryBytes: Type.Integer({ minimum: 0 }) }),
    engine: Closed({ name: Type.Union([Type.Literal('docker'), Type.Literal('containerd')]), version: Type.String({ maxLength: 128 }) }),
    runtimes: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 32 }),
    gpus: Type.Array(
      Closed({
        id: Type.String({ maxLength: 128 }),
        vendor: Type.String({ maxLength: 32 }),
        vendorId: Type.String({ maxLength: 16 }),
        deviceId: Type.String({ maxLength: 16 }),
        pciAddress: Type.String({ maxLength: 32 }),
        model: Type.Optional(Type.String({ maxLength: 64 })),
        name: Type.Optional(Type.String({ maxLength: 256 })),
        memoryBytes: Type.Optional(Type.Integer({ minimum: 0 })),
        mode: Type.Union([Type.Literal('host-driver'), Type.Literal('vfio')]),
        named: Type.Boolean(),
      }),
      { maxItems: 64 },
    ),
    attributes: Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 256 }), { maxProperties: 64 }),
    microvmGPU: Type.Boolean(),
    overhead: Type.Optional(Closed({ cpuMillis: Type.Integer({ minimum: 0 }), memoryBytes: Type.Integer({ minimum: 0 }) })),
  },
  { additionalProperties: false },
);

export const JoinNodeSchema = Closed({
  subnet: Type.String({ minLength: 1, maxLength: 63 }),
  name: Type.Optional(Name),
  fleet: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  report: CapabilityReportSchema,
});

export const HeartbeatSchema = Closed({
  report: Type.Optional(CapabilityReportSchema),
});

export const PodStatusReportSchema = Closed({
  attempt: Type.Integer({ minimum: 0 }),
  state: Type.Union([
    Type.Literal('Waiting'),
    Type.Literal('Pulling'),
    Type.Literal('Creating'),
    Type.Literal('Running'),
    Type.Literal('Exited'),
    Type.Literal('Failed'),
    Type.Literal('Removed'),
  ]),
  exitCode: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String({ maxLength: 64 })),
  message: Type.Optional(Type.String({ maxLength: 4096 })),
  containerId: Type.Optional(Type.String({ maxLength: 128 })),
  startedAt: Type.Optional(Type.String({ maxLength: 64 })),
  finishedAt: Type.Optional(Type.String({ maxLength: 64 })),
  restartCount: Type.Optional(Type.Integer({ minimum: 0 })),
  observedIsolation: Type.Optional(
    Closed({
      class: Type.Union([Type.Literal('container'), Type.Literal('microvm')]),
      runtime: Type.String({ maxLength: 128 }),
      vmmBackend: Type.Optional(Type.Union([Type.Literal('qemu'), Type.Literal('firecracker')])),
      evidence: Type.String({ maxLength: 2048 }),
      verifiedAt: Type.String({ maxLength: 64 }),
    }),
  ),
});
export type PodStatusReport = Static<typeof PodStatusReportSchema>;

/** Query of list endpoints that page through the event log. */
export const EventsQuerySchema = Closed({
  since: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
  follow: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')])),
  type: Type.Optional(Type.String({ maxLength: 64 })),
  subject: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.String({ pattern: '^\\d{1,5}$' })),
});

export { Quantity };
