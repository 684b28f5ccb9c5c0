import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findForbiddenRuntimeOption } from './find-forbidden-runtime-option.js';

const container = { name: 'app', imageURI: '127.0.0.1:5000/idyl/busybox:1.35' };
const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) => ({ kind: 'Pod', metadata, spec: { containers: [container], ...spec } });
const deployment = (spec: Record<string, unknown>, templateMetadata?: Record<string, unknown>) => ({
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { replicas: 2, template: { ...(templateMetadata ? { metadata: templateMetadata } : {}), spec: { containers: [container], ...spec } } },
});
const withContainer = (extra: Record<string, unknown>) => pod({ containers: [{ ...container, ...extra }] });

describe('findForbiddenRuntimeOption: raw runtime knobs are refused with their path', () => {
  const REFUSED: Array<[name: string, manifest: unknown, field: string]> = [
    ['runtimeClassName on a pod', pod({ runtimeClassName: 'kata' }), 'spec.runtimeClassName'],
    ['runtime on a pod', pod({ runtime: 'runc' }), 'spec.runtime'],
    ['runtimeHandler in a deployment template', deployment({ runtimeHandler: 'kata-fc' }), 'spec.template.spec.runtimeHandler'],
    ['runtime in a container', withContainer({ runtime: 'io.containerd.runc.v2' }), 'spec.containers[0].runtime'],
    ['Kata annotation on the manifest', pod({}, { name: 'p', annotations: { 'io.katacontainers.config.hypervisor.path': '/bin/sh' } }), 'metadata.annotations["io.katacontainers.config.hypervisor.path"]'],
    ['containerd annotation on a template', deployment({}, { annotations: { 'io.containerd.runc.v2.group': 'x' } }), 'spec.template.metadata.annotations["io.containerd.runc.v2.group"]'],
    ['CRI annotation', pod({}, { name: 'p', annotations: { 'io.kubernetes.cri.untrusted-workload': 'true' } }), 'metadata.annotations["io.kubernetes.cri.untrusted-workload"]'],
    ['annotation key in upper case', pod({}, { name: 'p', annotations: { 'IO.KATACONTAINERS.x': '1' } }), 'metadata.annotations["IO.KATACONTAINERS.x"]'],
    ['hostPath volume', pod({ volumes: [{ name: 'root', hostPath: { path: '/' } }] }), 'spec.volumes[0].hostPath'],
    ['bind-mount volume string', pod({ volumes: ['/:/host'] }), 'spec.volumes[0]'],
    ['mounts on a container', withContainer({ mounts: [{ source: '/etc', target: '/etc' }] }), 'spec.containers[0].mounts'],
    ['binds on a container', withContainer({ binds: ['/var/run/docker.sock:/var/run/docker.sock'] }), 'spec.containers[0].binds'],
    ['privileged on a container', withContainer({ privileged: true }), 'spec.containers[0].privileged'],
    ['privileged in a securityContext', withContainer({ securityContext: { privileged: true } }), 'spec.containers[0].securityContext.privileged'],
    ['privileged in a pod securityContext of a deployment', deployment({ securityContext: { privileged: 'true' } }), 'spec.template.spec.securityContext.privileged'],
    ['hostNetwork', pod({ hostNetwork: true }), 'spec.hostNetwork'],
    ['hostPID', pod({ hostPID: true }), 'spec.hostPID'],
    ['hostIPC', pod({ hostIPC: true }), 'spec.hostIPC'],
    ['hostUsers: true', pod({ hostUsers: true }), 'spec.hostUsers'],
    ['devices', withContainer({ devices: ['/dev/kvm'] }), 'spec.containers[0].devices'],
    ['capAdd', withContainer({ capAdd: ['SYS_ADMIN'] }), 'spec.containers[0].capAdd'],
    ['capabilities in a securityContext', withContainer({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } }), 'spec.containers[0].securityContext.capabilities'],
    ['Docker HostConfig spelling', withContainer({ HostConfig: { Binds: ['/:/h'] } }), 'spec.containers[0].HostConfig.Binds'],
    [
      'a CronJob pod spec',
      { kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [container], hostNetwork: true } } } } } },
      'spec.jobTemplate.spec.template.spec.hostNetwork',
    ],
    ['a bare pod spec', { containers: [{ ...container, privileged: true }] }, 'containers[0].privileged'],
  ];
  for (const [name, manifest, field] of REFUSED) {
    it(name, () => {
      const r = findForbiddenRuntimeOption(manifest);
      assert.equal(r.ok, false, 'expected a refusal');
      if (r.ok) return;
      assert.equal(r.error.code, 'forbidden_runtime_option');
      assert.equal(r.error.details?.field, field);
      assert.ok(r.error.message.startsWith(field));
    });
  }
});

describe('findForbiddenRuntimeOption: ordinary manifests pass', () => {
  const ACCEPTED: Array<[name: string, manifest: unknown]> = [
    ['a plain pod', pod({ isolation: { class: 'microvm' }, gpu: '2:h100', require: { cuda: '>=13.0' } })],
    ['a plain deployment', deployment({ platform: 'linux/amd64' })],
    ['labels and require keys are the user\'s own words', pod({ require: { runtime: '>=1', privileged: 'no' } }, { name: 'p', labels: { runtime: 'x', devices: 'y' } })],
    ['env names are values, not fields', withContainer({ env: [{ name: 'RUNTIME', value: 'kata' }] })],
    ['ordinary annotations', pod({}, { name: 'p', annotations: { 'example.com/team': 'infra', 'io.katacontainers': 'no dot after' } })],
    ['explicit false flags ask for nothing', pod({ hostNetwork: false, hostPID: false, hostUsers: false })],
    ['command strings mentioning knobs', withContainer({ command: ['sh', '-c', 'echo privileged hostPath runtime'] })],
    ['not an object', 'kind: Pod'],
    ['null', null],
    ['fields named like Object.prototype members (left to schema validation)', JSON.parse('{"spec":{"__proto__":{"a":1},"constructor":1,"toString":"x"}}')],
  ];
  for (const [name, manifest] of ACCEPTED) {
    it(name, () => {
      const r = findForbiddenRuntimeOption(manifest);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
    });
  }

  it('refuses a pathologically deep document instead of recursing without end', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const r = findForbiddenRuntimeOption(deep);
    assert.ok(!r.ok && r.error.code === 'validation_failed');
  });
});
