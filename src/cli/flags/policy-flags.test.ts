import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sendJson, type TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { startDouble, subnet } from '../test-fixtures.js';
import { policyForCreate, policyPatchForEdit, splitList } from './policy-flags.js';

test('comma lists and repeated flags make one list; an empty value makes an empty list', () => {
  assert.deepEqual(splitList(['container,microvm']), ['container', 'microvm']);
  assert.deepEqual(splitList(['container', 'microvm']), ['container', 'microvm']);
  assert.deepEqual(splitList(['qemu, firecracker', 'x']), ['qemu', 'firecracker', 'x']);
  assert.deepEqual(splitList(['']), []);
});

test('create: only the given flags form the policy; none gives no policy at all', () => {
  assert.equal(policyForCreate({}), undefined);
  assert.deepEqual(policyForCreate({ allowedIsolationClass: ['microvm'], defaultIsolationClass: 'microvm' }), {
    allowedIsolationClasses: ['microvm'],
    defaultIsolationClass: 'microvm',
  });
  assert.deepEqual(
    policyForCreate({ allowedIsolationClass: ['microvm'], requireIsolationClass: true, allowedVmmBackend: ['firecracker'], allowMicrovmGpu: true }),
    { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true, allowedVMMBackends: ['firecracker'], microvmGPU: true },
  );
});

test('create passes unknown class values through untouched (the server judges them)', () => {
  assert.deepEqual(policyForCreate({ allowedIsolationClass: ['kata'] }), { allowedIsolationClasses: ['kata'] });
});

test('edit: each given flag replaces its field and nothing else is sent', () => {
  assert.equal(policyPatchForEdit({}), undefined);
  assert.deepEqual(policyPatchForEdit({ defaultIsolationClass: 'container' }), { runtimePolicy: { defaultIsolationClass: 'container' } });
  assert.deepEqual(policyPatchForEdit({ requireIsolationClass: false }), { runtimePolicy: { requireExplicitIsolationClass: false } });
});

test('edit --clear-runtime-policy alone removes the policy; with flags they become the whole policy', () => {
  assert.deepEqual(policyPatchForEdit({ clearRuntimePolicy: true }), { runtimePolicy: null });
  assert.deepEqual(policyPatchForEdit({ clearRuntimePolicy: true, allowedIsolationClass: ['container'] }), {
    runtimePolicy: {
      allowedIsolationClasses: ['container'],
      defaultIsolationClass: null,
      requireExplicitIsolationClass: null,
      allowedVMMBackends: null,
      microvmGPU: null,
    },
  });
});

describe('subnet commands send the policy bodies and show the answers', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  before(async () => {
    double = await startDouble();
    double.on('POST /v1/subnets', (req, res) => {
      const b = req.body as { name?: string; runtimePolicy?: Record<string, unknown> };
      sendJson(res, 201, subnet('4821', { ...(b.name ? { name: b.name } : {}), ...(b.runtimePolicy ? { runtimePolicy: b.runtimePolicy } : {}) }));
    });
    double.on('PATCH /v1/subnets/4821', (_req, res) =>
      sendJson(res, 200, {
        subnet: subnet('4821', { runtimePolicy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' } }),
        affected: { pendingFailed: 2, runningNonCompliant: 1, unaffected: 5 },
      }),
    );
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
  });

  test('subnet create with repeated and comma flags sends one list and prints the slug and name', async () => {
    const r = await cli.run([
      '--realm',
      double.url,
      'subnet',
      'create',
      '--region',
      'us-east',
      '--name',
      'edge-a',
      '--allowed-isolation-class',
      'container',
      '--allowed-isolation-class',
      'microvm',
      '--allowed-vmm-backend',
      'qemu,firecracker',
      '--default-isolation-class',
      'microvm',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(double.last('POST /v1/subnets')?.body, {
      region: 'us-east',
      name: 'edge-a',
      runtimePolicy: { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'microvm', allowedVMMBackends: ['qemu', 'firecracker'] },
    });
    assert.match(r.stdout, /✓ Subnet 4821 \(name edge-a\) created/);
    assert.match(r.stdout, /allowed=container,microvm default=microvm backends=qemu,firecracker/);
  });

  test('subnet create without policy flags sends no runtimePolicy', async () => {
    const r = await cli.run(['--realm', double.url, 'subnet', 'create', '--region', 'us-east', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(double.last('POST /v1/subnets')?.body, { region: 'us-east' });
    assert.equal(JSON.parse(r.stdout).slug, '4821');
  });

  test('subnet edit sends a merge patch and prints the affected workloads per state', async () => {
    const r = await cli.run(['--realm', double.url, 'subnet', 'edit', '4821', '--allowed-isolation-class', 'microvm', '--default-isolation-class', 'microvm']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(double.last('PATCH /v1/subnets/4821')?.body, { runtimePolicy: { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' } });
    assert.match(r.stdout, /2 pending failed \(isolation_class_not_allowed\) · 1 running non-compliant \(PolicyNonCompliant\) · 5 unaffected/);
  });

  test('subnet edit --clear-runtime-policy sends runtimePolicy null; -o json prints the whole answer', async () => {
    const r = await cli.run(['--realm', double.url, 'subnet', 'edit', '4821', '--clear-runtime-policy', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(double.last('PATCH /v1/subnets/4821')?.body, { runtimePolicy: null });
    assert.deepEqual(JSON.parse(r.stdout).affected, { pendingFailed: 2, runningNonCompliant: 1, unaffected: 5 });
  });

  test('subnet edit with no flag is a usage error and sends nothing', async () => {
    const before = double.requests.length;
    const r = await cli.run(['--realm', double.url, 'subnet', 'edit', '4821']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing to change/);
    assert.equal(double.requests.length, before);
  });

  test("an inconsistent policy is refused by the server with the field, shown as the server said it", async () => {
    double.json('PATCH /v1/subnets/9999', { error: { code: 'invalid_runtime_policy', message: 'defaultIsolationClass: container is not in allowedIsolationClasses (microvm)', details: { field: 'runtimePolicy.defaultIsolationClass' } } }, 400);
    const r = await cli.run(['--realm', double.url, 'subnet', 'edit', '9999', '--default-isolation-class', 'container', '-o', 'json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(JSON.parse(r.stderr), {
      error: {
        code: 'invalid_runtime_policy',
        message: 'defaultIsolationClass: container is not in allowedIsolationClasses (microvm)',
        details: { field: 'runtimePolicy.defaultIsolationClass' },
      },
    });
  });
});
