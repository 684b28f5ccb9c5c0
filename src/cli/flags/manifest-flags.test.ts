import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { startDouble, workload } from '../test-fixtures.js';
import { deploymentManifest, podManifest, podSpecFromFlags, sandboxManifest } from './manifest-flags.js';

const target = { name: 'web', namespace: 'default', subnet: '4821' };

test('every workload flag lands in its manifest field, values as written', () => {
  const spec = podSpecFromFlags(
    'busybox:1.35',
    {
      isolationClass: 'microvm',
      platform: 'linux/arm64',
      cpu: '500m',
      memory: '512Mi',
      gpu: '2:h100',
      env: ['A=1', 'B=x=y', 'EMPTY='],
      require: ['cuda=>=13.0', 'kernel=6.1'],
      network: 'restricted-egress',
      imagePullPolicy: 'if_not_present',
    },
    ['echo', 'hi'],
    'never',
  );
  assert.deepEqual(spec, {
    containers: [
      {
        name: 'main',
        imageURI: 'busybox:1.35',
        imagePullPolicy: 'if_not_present',
        args: ['echo', 'hi'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'x=y' },
          { name: 'EMPTY', value: '' },
        ],
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      },
    ],
    restartPolicy: 'never',
    platform: 'linux/arm64',
    isolation: { class: 'microvm' },
    network: { class: 'restricted-egress' },
    gpu: '2:h100',
    require: { cuda: '>=13.0', kernel: '6.1' },
  });
});

test('words after -- replace the cmd (args) by default and the entrypoint (command) with --command', () => {
  const asArgs = podSpecFromFlags('img', {}, ['sh', '-c', 'echo hi']) as { containers: Array<Record<string, unknown>> };
  assert.deepEqual(asArgs.containers[0]?.args, ['sh', '-c', 'echo hi']);
  assert.equal(asArgs.containers[0]?.command, undefined);
  const asCommand = podSpecFromFlags('img', { command: true }, ['sleep', '5']) as { containers: Array<Record<string, unknown>> };
  assert.deepEqual(asCommand.containers[0]?.command, ['sleep', '5']);
  assert.equal(asCommand.containers[0]?.args, undefined);
  const none = podSpecFromFlags('img', {}, []) as { containers: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(none.containers[0] ?? {}), ['name', 'imageURI']);
});

test('a flagless workload states no class, platform or resources (the subnet policy decides)', () => {
  assert.deepEqual(podManifest(target, 'img', {}, []), {
    kind: 'Pod',
    metadata: { name: 'web', subnet: '4821', namespace: 'default' },
    spec: { containers: [{ name: 'main', imageURI: 'img' }], restartPolicy: 'never' },
  });
});

test('deploy builds a Deployment with restart always; replicas as a number, or as written when not one', () => {
  const d = deploymentManifest(target, 'img', {}, [], '3');
  assert.equal(d.kind, 'Deployment');
  assert.deepEqual(d.spec, { replicas: 3, template: { spec: { containers: [{ name: 'main', imageURI: 'img' }], restartPolicy: 'always' } } });
  assert.equal(deploymentManifest(target, 'img', {}, [], 'three').spec.replicas, 'three');
  assert.equal('replicas' in deploymentManifest(target, 'img', {}, []).spec, false);
});

test('a sandbox carries its TTL as written and the pod spec under spec.template.spec', () => {
  const s = sandboxManifest(target, 'ubuntu:24.04', '2h', { isolationClass: 'microvm' }, []);
  assert.deepEqual(s.spec, { ttl: '2h', template: { spec: { containers: [{ name: 'main', imageURI: 'ubuntu:24.04' }], isolation: { class: 'microvm' } } } });
});

test('--env and --require without "=" are usage errors', () => {
  assert.throws(() => podSpecFromFlags('img', { env: ['NOVALUE'] }, []), /--env expects NAME=VALUE, got "NOVALUE"/);
  assert.throws(() => podSpecFromFlags('img', { env: ['=x'] }, []), /--env expects NAME=VALUE/);
  assert.throws(() => podSpecFromFlags('img', { require: ['cuda'] }, []), /--require expects KEY=EXPR/);
});

describe('workload commands send the manifest the flags describe', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  const realm = () => ['--realm', double.url];
  before(async () => {
    double = await startDouble();
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
  });

  test('idyl run: flags, repeated --env, -- words with dashes, global flags after --', async () => {
    const r = await cli.run([
      ...realm(),
      'run',
      'busybox:1.35',
      '--name',
      'job1',
      '--subnet',
      'edge-a',
      '--env',
      'A=1',
      '--env',
      'B=2',
      '--cpu',
      '250m',
      '--',
      'sh',
      '-c',
      'echo hi',
      '-n',
      'x',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const body = double.last('POST /v1/namespaces/default/workloads')?.body as { metadata: unknown; spec: { containers: Array<Record<string, unknown>> } };
    assert.deepEqual(body.metadata, { name: 'job1', subnet: 'edge-a', namespace: 'default' });
    assert.deepEqual(body.spec.containers[0]?.args, ['sh', '-c', 'echo hi', '-n', 'x']);
    assert.deepEqual(body.spec.containers[0]?.env, [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    assert.match(r.stdout, /✓ Pod job1 created/);
  });

  test('idyl deploy -n team sends to the namespace in the path and the manifest', async () => {
    double.json('POST /v1/namespaces/team/workloads', workload('Deployment', 'web'), 201);
    const r = await cli.run([...realm(), '-n', 'team', 'deploy', 'nginx:1.25', '--name', 'web', '--replicas', '2', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const body = double.last('POST /v1/namespaces/team/workloads')?.body as { kind: string; metadata: { namespace: string }; spec: { replicas: number } };
    assert.equal(body.kind, 'Deployment');
    assert.equal(body.metadata.namespace, 'team');
    assert.equal(body.spec.replicas, 2);
  });

  test('idyl create sandbox generates a name from the image when none is given', async () => {
    const r = await cli.run([...realm(), 'create', 'sandbox', '--image', 'ubuntu:24.04', '--ttl', '15m', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const body = double.last('POST /v1/namespaces/default/workloads')?.body as { kind: string; metadata: { name: string }; spec: { ttl: string } };
    assert.equal(body.kind, 'Sandbox');
    assert.match(body.metadata.name, /^ubuntu-24-04-sandbox-[0-9a-f]{6}$/);
    assert.equal(body.spec.ttl, '15m');
    assert.equal(JSON.parse(r.stdout).metadata.name, body.metadata.name);
  });

  test("--cpu abc is not judged here: the server's validation_failed comes back with its field path", async () => {
    double.json(
      'POST /v1/namespaces/qa/workloads',
      { error: { code: 'validation_failed', message: 'spec.containers[0].resources.requests.cpu: "abc" is not a CPU quantity', details: { field: 'spec.containers[0].resources.requests.cpu' } } },
      400,
    );
    const r = await cli.run([...realm(), '-n', 'qa', 'run', 'busybox', '--name', 'x', '--cpu', 'abc']);
    assert.equal(r.code, 1);
    const sent = double.last('POST /v1/namespaces/qa/workloads')?.body as { spec: { containers: Array<{ resources: unknown }> } };
    assert.deepEqual(sent.spec.containers[0]?.resources, { requests: { cpu: 'abc' }, limits: { cpu: 'abc' } });
    assert.match(r.stderr, /^error: validation_failed: spec\.containers\[0\]\.resources\.requests\.cpu: "abc" is not a CPU quantity/);
  });

  test('an unknown isolation class reaches the server, whose refusal and valid values are shown (field case 12)', async () => {
    double.json(
      'POST /v1/namespaces/iso/workloads',
      { error: { code: 'invalid_isolation_class', message: '"qemu" is a VMM backend, not an isolation class', details: { field: 'spec.isolation.class', allowed: ['container', 'microvm'] } } },
      400,
    );
    const r = await cli.run([...realm(), '-n', 'iso', 'run', 'busybox', '--name', 'x', '--isolation-class', 'qemu']);
    assert.equal(r.code, 1);
    const sent = double.last('POST /v1/namespaces/iso/workloads')?.body as { spec: { isolation: unknown } };
    assert.deepEqual(sent.spec.isolation, { class: 'qemu' });
    assert.match(r.stderr, /error: invalid_isolation_class: "qemu" is a VMM backend/);
    assert.match(r.stderr, /allowed: container, microvm/);
  });

  test('a malformed --env is a usage error (exit 2) and nothing is sent', async () => {
    const before = double.requests.length;
    const r = await cli.run([...realm(), 'run', 'busybox', '--name', 'x', '--env', 'NOEQUALS']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: usage_error: --env expects NAME=VALUE, got "NOEQUALS"/);
    assert.equal(double.requests.length, before);
  });
});
