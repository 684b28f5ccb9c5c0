import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageConfig } from './oci-image.js';
import { buildRuntimeSpec, DEFAULT_CAPABILITIES, mergeEnv, processArgs, type SpecInput } from './oci-spec.js';

const image: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  entrypoint: ['/bin/echo', 'entry'],
  cmd: ['default'],
  env: ['PATH=/bin', 'MODE=image', 'KEEP=yes'],
  workingDir: '/srv',
  user: '',
  diffIds: [],
};
const noEntry: ImageConfig = { ...image, entrypoint: [], cmd: ['/bin/sh', '-c', 'echo hi'] };

const input = (over: Partial<SpecInput> = {}): SpecInput => ({
  id: 'c1',
  hostname: 'c1',
  image,
  env: {},
  user: { uid: 0, gid: 0 },
  cgroupParent: '/idyl',
  ...over,
});

test('args combine like Docker: entrypoint + cmd, args replace cmd, command replaces both', () => {
  assert.deepEqual(processArgs(image), ['/bin/echo', 'entry', 'default']);
  assert.deepEqual(processArgs(image, undefined, ['x', 'y']), ['/bin/echo', 'entry', 'x', 'y']);
  assert.deepEqual(processArgs(image, ['/bin/true']), ['/bin/true']);
  assert.deepEqual(processArgs(image, ['/bin/echo'], ['a']), ['/bin/echo', 'a']);
  assert.deepEqual(processArgs(noEntry), ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(processArgs(noEntry, undefined, ['ls']), ['ls']);
  assert.deepEqual(processArgs({ ...image, entrypoint: [], cmd: [] }), []);
});

test('env: the spec wins over the image, values keep their = signs, PATH is defaulted', () => {
  assert.deepEqual(mergeEnv(image.env, { MODE: 'spec', EXTRA: 'a=b' }), ['PATH=/bin', 'MODE=spec', 'KEEP=yes', 'EXTRA=a=b']);
  assert.deepEqual(mergeEnv([], {}), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  assert.deepEqual(mergeEnv(['BROKEN', 'A=1'], { B: '' }), ['A=1', 'B=', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
});

test('the spec: own namespaces, default mounts, capabilities, masked paths, rlimits and cwd', () => {
  const spec = buildRuntimeSpec(input(), ['/bin/true']);
  assert.deepEqual(spec.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'network']);
  assert.equal(spec.linux.namespaces.find((n) => n.type === 'network')?.path, undefined, 'a fresh network namespace');
  assert.deepEqual(spec.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
  assert.ok(spec.mounts.find((m) => m.destination === '/sys')?.options.includes('ro'));
  assert.deepEqual(spec.process.capabilities.bounding, DEFAULT_CAPABILITIES);
  assert.ok(!DEFAULT_CAPABILITIES.includes('CAP_SYS_ADMIN') && !DEFAULT_CAPABILITIES.includes('CAP_NET_ADMIN'));
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(spec.linux.readonlyPaths.includes('/proc/sys'));
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
  assert.equal(spec.process.cwd, '/srv');
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.root.path, 'rootfs');
  assert.deepEqual(spec.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
});

test('limits: CPU millis become quota over a 100 ms period, memory a byte limit, cgroup under the parent', () => {
  const spec = buildRuntimeSpec(input({ cpuMillis: 1500, memoryBytes: 64 * 1024 * 1024, cgroupParent: '/idyl/' }), ['x']);
  assert.deepEqual(spec.linux.resources.cpu, { quota: 150_000, period: 100_000 });
  assert.deepEqual(spec.linux.resources.memory, { limit: 64 * 1024 * 1024 });
  assert.equal(spec.linux.cgroupsPath, '/idyl/c1');
  const tiny = buildRuntimeSpec(input({ cpuMillis: 1 }), ['x']);
  assert.equal(tiny.linux.resources.cpu?.quota, 1000, 'the kernel refuses quotas under 1 ms');
  const none = buildRuntimeSpec(input(), ['x']);
  assert.equal(none.linux.resources.cpu, undefined);
  assert.equal(none.linux.resources.memory, undefined);
});

test('a prepared network namespace is joined and extra mounts follow the defaults', () => {
  const extra = { destination: '/etc/resolv.conf', type: 'bind', source: '/state/resolv.conf', options: ['rbind', 'ro'] };
  const spec = buildRuntimeSpec(input({ netnsPath: '/run/netns/idyl-c1', extraMounts: [extra] }), ['x']);
  assert.deepEqual(spec.linux.namespaces.at(-1), { type: 'network', path: '/run/netns/idyl-c1' });
  assert.deepEqual(spec.mounts.at(-1), extra);
});

test('identical inputs give byte-identical specs (field case 9)', () => {
  const a = JSON.stringify(buildRuntimeSpec(input({ env: { A: '1', B: '2' } }), ['x']));
  const b = JSON.stringify(buildRuntimeSpec(input({ env: { A: '1', B: '2' } }), ['x']));
  assert.equal(a, b);
});
