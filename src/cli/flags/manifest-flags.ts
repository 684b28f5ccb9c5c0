import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { collect } from '../commands/noun.js';

/** The workload flags of `run`, `deploy` and `create sandbox`, as commander parses them. */
export interface WorkloadFlags {
  readonly isolationClass?: string;
  readonly platform?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly gpu?: string;
  readonly env?: readonly string[];
  readonly require?: readonly string[];
  readonly network?: string;
  readonly imagePullPolicy?: string;
  /** The words after `--` replace the image's entrypoint instead of its cmd. */
  readonly command?: boolean;
  /** What the node's provider may read: `logs`, `env` (repeatable, comma lists). */
  readonly shareWithProvider?: readonly string[];
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** A manifest as the CLI sends it. Values are the user's, unchecked: the server validates. */
export interface ManifestBody {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly subnet?: string; readonly namespace: string };
  readonly spec: Readonly<Record<string, unknown>>;
}

/** Adds the workload flags (and `--wait`/`--timeout`) to `cmd`. `--subnet` is a global flag. */
export function addWorkloadFlags(cmd: Command): Command {
  return cmd
    .option('--isolation-class <class>', 'isolation the workload needs: container or microvm (default: the subnet policy)')
    .option('--platform <platform>', 'linux/amd64 or linux/arm64')
    .option('--cpu <quantity>', 'CPU request and limit, e.g. 500m or 2')
    .option('--memory <quantity>', 'memory request and limit, e.g. 512Mi or 2Gi')
    .option('--gpu <spec>', 'GPUs: 4, h100, 2:h100, a100:80Gi, nvidia:24Gi')
    .option('--env <name=value>', 'environment variable (repeatable)', collect)
    .option('--require <key=expr>', 'host requirement, e.g. cuda=>=13.0 (repeatable)', collect)
    .option('--network <class>', 'none, restricted-egress or unrestricted')
    .option('--image-pull-policy <policy>', 'always, if_not_present or never')
    .option('--command', 'the words after -- replace the image entrypoint (default: they replace its cmd)')
    .option('--share-with-provider <what>', "let the node's provider read the pod's logs and/or env values: logs, env (repeatable, comma list)", collect)
    .option('--wait', 'block until the workload runs (a run: until its pod ends)')
    .option('--timeout <duration>', 'how long --wait waits', '2m');
}

/** Splits `K=V` at the first `=`; anything else is a usage error naming the flag. */
export function splitPair(flag: string, value: string, shape: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw usageError(`${flag} expects ${shape}, got "${value}"`, `${flag} ${shape === 'NAME=VALUE' ? 'LOG_LEVEL=debug' : 'cuda=>=13.0'}`);
  return [value.slice(0, at), value.slice(at + 1)];
}

/**
 * The pod spec the flags describe: one container named `main` running `image`.
 * `words` (after `--`) become the container's `args`, or its `command` with `--command`.
 * `--cpu`/`--memory` go into both requests and limits, as written.
 */
export function podSpecFromFlags(image: string, flags: WorkloadFlags, words: readonly string[], restartPolicy?: string): Record<string, unknown> {
  const container: Record<string, unknown> = { name: 'main', imageURI: image };
  if (flags.imagePullPolicy !== undefined) container.imagePullPolicy = flags.imagePullPolicy;
  if (words.length > 0) container[flags.command ? 'command' : 'args'] = [...words];
  if (flags.env?.length) {
    container.env = flags.env.map((e) => {
      const [name, value] = splitPair('--env', e, 'NAME=VALUE');
      return { name, value };
    });
  }
  const quantities: Record<string, string> = {};
  if (flags.cpu !== undefined) quantities.cpu = flags.cpu;
  if (flags.memory !== undefined) quantities.memory = flags.memory;
  if (Object.keys(quantities).length > 0) container.resources = { requests: { ...quantities }, limits: { ...quantities } };

  const spec: Record<string, unknown> = { containers: [container] };
  if (restartPolicy !== undefined) spec.restartPolicy = restartPolicy;
  if (flags.platform !== undefined) spec.platform = flags.platform;
  if (flags.isolationClass !== undefined) spec.isolation = { class: flags.isolationClass };
  if (flags.network !== undefined) spec.network = { class: flags.network };
  if (flags.gpu !== undefined) spec.gpu = flags.gpu;
  if (flags.shareWithProvider?.length) spec.shareWithProvider = [...new Set(flags.shareWithProvider.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))];
  if (flags.require?.length) spec.require = Object.fromEntries(flags.require.map((r) => splitPair('--require', r, 'KEY=EXPR')));
  return spec;
}

/** Where a manifest goes and what it is called. */
export interface ManifestTarget {
  readonly name: string;
  readonly namespace: string;
  readonly subnet?: string;
}

function metadata(t: ManifestTarget): ManifestBody['metadata'] {
  return { name: t.name, ...(t.subnet !== undefined ? { subnet: t.subnet } : {}), namespace: t.namespace };
}

/** `idyl run`: a Pod that is not restarted. */
export function podManifest(t: ManifestTarget, image: string, flags: WorkloadFlags, words: readonly string[]): ManifestBody {
  return { kind: 'Pod', metadata: metadata(t), spec: podSpecFromFlags(image, flags, words, 'never') };
}

/**
 * `idyl deploy`: a Deployment whose pods restart always. `replicas` is sent as a
 * number when it is one, else as written (the server refuses it with the field path).
 */
export function deploymentManifest(t: ManifestTarget, image: string, flags: WorkloadFlags, words: readonly string[], replicas?: string): ManifestBody {
  const spec: Record<string, unknown> = {};
  if (replicas !== undefined) spec.replicas = /^\d+$/.test(replicas) ? Number(replicas) : replicas;
  spec.template = { spec: podSpecFromFlags(image, flags, words, 'always') };
  return { kind: 'Deployment', metadata: metadata(t), spec };
}

/** `idyl create sandbox`: a Sandbox with its TTL as written. */
export function sandboxManifest(t: ManifestTarget, image: string, ttl: string, flags: WorkloadFlags, words: readonly string[]): ManifestBody {
  return { kind: 'Sandbox', metadata: metadata(t), spec: { ttl, template: { spec: podSpecFromFlags(image, flags, words) } } };
}
