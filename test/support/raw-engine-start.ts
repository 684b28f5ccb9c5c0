import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ContainerdConnection } from '../../src/agent/runtime/containerd/containerd-connection.js';
import type { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { CONTAINERD_SOCKET, DOCKER_SOCKET } from './probes.js';
import { httpRequest } from './unix-http.js';

const exec = promisify(execFile);

/** Starts one container called `name` straight on the engine; resolves with its id once the engine says it runs. */
export type RawStart = (name: string) => Promise<string>;

/** What every raw start launches: the image, its command, labels and optional limits (as idyl would set them). */
export interface RawLaunch {
  readonly image: string;
  readonly command: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
}

/** `docker run -d --network none --runtime runc` of the launch (the engine's own command line). */
export function dockerRunCli(l: RawLaunch): RawStart {
  const labels = Object.entries(l.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
  const limits = [
    ...(l.cpuMillis !== undefined ? ['--cpus', String(l.cpuMillis / 1000)] : []),
    ...(l.memoryBytes !== undefined ? ['--memory', `${l.memoryBytes}b`, '--memory-swap', `${l.memoryBytes}b`] : []),
  ];
  return async (name) => (await exec('docker', ['run', '-d', '--name', name, '--network', 'none', '--runtime', 'runc', ...limits, ...labels, l.image, ...l.command])).stdout.trim();
}

/** The two raw Engine API calls (create, start) of the launch, network none, runtime runc. */
export function dockerRunApi(l: RawLaunch, socketPath: string = DOCKER_SOCKET): RawStart {
  const hostConfig = {
    NetworkMode: 'none',
    Runtime: 'runc',
    ...(l.cpuMillis !== undefined ? { NanoCpus: l.cpuMillis * 1_000_000 } : {}),
    ...(l.memoryBytes !== undefined ? { Memory: l.memoryBytes, MemorySwap: l.memoryBytes } : {}),
  };
  return async (name) => {
    const body = JSON.stringify({ Image: l.image, Cmd: l.command, Labels: l.labels, HostConfig: hostConfig });
    const created = await httpRequest({ socketPath }, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, { body, headers: { 'Content-Type': 'application/json' } });
    if (created.status !== 201) throw new Error(`docker create answered ${created.status}: ${created.body}`);
    const { Id } = JSON.parse(created.body) as { Id: string };
    const started = await httpRequest({ socketPath }, 'POST', `/containers/${Id}/start`);
    if (started.status !== 204) throw new Error(`docker start answered ${started.status}: ${started.body}`);
    return Id;
  };
}

/** `ctr run -d --runtime io.containerd.runc.v2` of the launch in `namespace` (no network but loopback, as idyl's `none`). */
export function ctrRunCli(l: RawLaunch, namespace: string, socket: string = CONTAINERD_SOCKET): RawStart {
  const labels = Object.entries(l.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
  const limits = [
    ...(l.cpuMillis !== undefined ? ['--cpus', String(l.cpuMillis / 1000)] : []),
    ...(l.memoryBytes !== undefined ? ['--memory-limit', String(l.memoryBytes)] : []),
  ];
  return async (name) => {
    await exec('ctr', ['--address', socket, '--namespace', namespace, 'run', '-d', '--runtime', 'io.containerd.runc.v2', ...limits, ...labels, l.image, name, ...l.command]);
    return name;
  };
}

/**
 * The four raw containerd API calls ContainerdDriver makes (Containers.Create,
 * Snapshots.Prepare, Tasks.Create, Tasks.Start, no stdio), with the OCI spec and
 * parent snapshot of a container the driver made from the launch beforehand (then
 * removed), so only the engine's own work is timed. The image must be pulled in
 * `conn`'s namespace.
 */
export async function containerdRunApi(l: RawLaunch, driver: ContainerdDriver, conn: ContainerdConnection): Promise<RawStart> {
  const template = `raw-template-${Date.now().toString(36)}`;
  await driver.create({
    name: template,
    image: { uri: l.image },
    command: [...l.command],
    env: {},
    network: 'none',
    runtime: 'io.containerd.runc.v2',
    labels: { ...l.labels },
    ...(l.cpuMillis !== undefined ? { cpuMillis: l.cpuMillis } : {}),
    ...(l.memoryBytes !== undefined ? { memoryBytes: l.memoryBytes } : {}),
  });
  const stored = (await conn.call('containers.Get', { id: template })).container.spec;
  if (!stored) throw new Error(`containerd stored no spec for ${template}`);
  const base = JSON.parse(stored.value.toString('utf8')) as { hostname?: string; linux?: { cgroupsPath?: string } };
  // Each container gets its own cgroup (and hostname), as the driver gives it: shared, the
  // template's cgroup would put every raw container under one memory limit.
  const specOf = (name: string) => {
    const own = { ...base, hostname: name, linux: { ...base.linux, cgroupsPath: base.linux?.cgroupsPath?.replace(template, name) } };
    return { type_url: stored.type_url, value: Buffer.from(JSON.stringify(own)) };
  };
  const parent = (await conn.call('snapshots.Stat', { snapshotter: 'overlayfs', key: template })).info.parent;
  await driver.remove(template);
  return async (name) => {
    await conn.call('containers.Create', {
      container: { id: name, labels: { ...l.labels }, image: l.image, runtime: { name: 'io.containerd.runc.v2' }, spec: specOf(name), snapshotter: 'overlayfs', snapshotKey: name },
    });
    const { mounts } = await conn.call('snapshots.Prepare', { snapshotter: 'overlayfs', key: name, parent });
    await conn.call('tasks.Create', { containerId: name, rootfs: mounts, stdout: '', stderr: '', terminal: false });
    await conn.call('tasks.Start', { containerId: name });
    return name;
  };
}
