import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { StreamApi, UnaryApi } from './api-types.js';

/** Options for one call. */
export interface CallOptions {
  /** Resources the call creates are added to this lease (`containerd-lease` metadata). */
  readonly lease?: string;
  /**
   * Fails the call with DEADLINE_EXCEEDED after this many milliseconds; default: the
   * connection's default. `Infinity` for calls that block by design (Tasks.Wait).
   */
  readonly timeoutMs?: number;
  /** Cancels the call (it then fails with CANCELLED). */
  readonly signal?: AbortSignal;
}

const PROTO_FILES = [
  'services/version.proto',
  'services/introspection.proto',
  'services/containers.proto',
  'services/content.proto',
  'services/images.proto',
  'services/leases.proto',
  'services/diff.proto',
  'services/snapshots.proto',
  'services/tasks.proto',
  'services/namespaces.proto',
];

const SERVICES: Readonly<Record<string, string>> = {
  version: 'containerd.services.version.v1.Version',
  introspection: 'containerd.services.introspection.v1.Introspection',
  containers: 'containerd.services.containers.v1.Containers',
  content: 'containerd.services.content.v1.Content',
  images: 'containerd.services.images.v1.Images',
  leases: 'containerd.services.leases.v1.Leases',
  diff: 'containerd.services.diff.v1.Diff',
  snapshots: 'containerd.services.snapshots.v1.Snapshots',
  tasks: 'containerd.services.tasks.v1.Tasks',
  namespaces: 'containerd.services.namespaces.v1.Namespaces',
};

/** The folder holding idyl's containerd protos, found from the package root. */
export function protoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto', 'containerd'))) return join(dir, 'proto', 'containerd');
    const up = dirname(dir);
    if (up === dir) throw new Error('proto/containerd not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let definitions: protoLoader.PackageDefinition | undefined;

// Parsing the protos costs tens of milliseconds: once per process.
function loadDefinitions(): protoLoader.PackageDefinition {
  definitions ??= protoLoader.loadSync(PROTO_FILES, {
    includeDirs: [protoRoot()],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    arrays: true,
    objects: false,
    oneofs: true,
  });
  return definitions;
}

function method(key: string): protoLoader.MethodDefinition<object, object> {
  const dot = key.indexOf('.');
  const service = SERVICES[key.slice(0, dot)];
  const def = service ? loadDefinitions()[service] : undefined;
  const found = def && (def as protoLoader.ServiceDefinition)[key.slice(dot + 1)];
  if (!found) throw new Error(`unknown containerd method ${key}`);
  return found;
}

/**
 * One gRPC channel to a containerd socket, scoped to one containerd namespace. Every
 * call carries the namespace; a call may also carry a lease. Calls reject with the
 * grpc-js `ServiceError` (use `grpc-status.ts` to read its code).
 */
export class ContainerdConnection {
  readonly socket: string;
  readonly namespace: string;
  private readonly defaultTimeoutMs: number;
  private readonly client: grpc.Client;

  /** `defaultTimeoutMs` bounds every call that does not state its own (a hung daemon must not hang idyl). */
  constructor(socket: string, namespace: string, defaultTimeoutMs = 60_000) {
    this.socket = socket;
    this.namespace = namespace;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
    });
  }

  /** Calls a unary RPC. */
  call<K extends keyof UnaryApi>(key: K, request: UnaryApi[K]['req'], options: CallOptions = {}): Promise<UnaryApi[K]['res']> {
    const def = method(key);
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest<object, object>(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        this.metadata(options.lease),
        this.callOptions(options),
        (err, value) => {
          options.signal?.removeEventListener('abort', cancel);
          if (err) reject(err);
          else resolve(value as UnaryApi[K]['res']);
        },
      );
      const cancel = (): void => call.cancel();
      if (options.signal?.aborted) call.cancel();
      else options.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Opens a server-streaming RPC. */
  serverStream<K extends keyof StreamApi>(key: K, request: StreamApi[K]['req'], options: CallOptions = {}): grpc.ClientReadableStream<StreamApi[K]['res']> {
    const def = method(key);
    return this.client.makeServerStreamRequest<object, StreamApi[K]['res']>(
      def.path,
      def.requestSerialize,
      def.responseDeserialize as (b: Buffer) => StreamApi[K]['res'],
      request,
      this.metadata(options.lease),
      this.callOptions(options),
    );
  }

  /** Opens a bidirectional-streaming RPC. */
  duplex<K extends keyof StreamApi>(key: K, options: CallOptions = {}): grpc.ClientDuplexStream<StreamApi[K]['req'], StreamApi[K]['res']> {
    const def = method(key);
    return this.client.makeBidiStreamRequest<StreamApi[K]['req'], StreamApi[K]['res']>(
      def.path,
      def.requestSerialize as (v: StreamApi[K]['req']) => Buffer,
      def.responseDeserialize as (b: Buffer) => StreamApi[K]['res'],
      this.metadata(options.lease),
      this.callOptions(options),
    );
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.client.close();
  }

  private callOptions(options: CallOptions): grpc.CallOptions {
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    return Number.isFinite(timeout) ? { deadline: Date.now() + timeout } : {};
  }

  private metadata(lease: string | undefined): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('containerd-namespace', this.namespace);
    if (lease) md.set('containerd-lease', lease);
    return md;
  }
}
