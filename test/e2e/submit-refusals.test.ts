import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Subnet } from '../../src/api/subnet.js';
import { E2eWorld } from '../support/e2e-world.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/**
 * The refusals a user meets at submit (isolation.md sections 3, 7 and 9), through
 * `bin/idyl`: each exits 1 with its stable code on stderr and the field it is about,
 * and stores nothing (the workload list and the event log revision do not move).
 */
describe('refusals at submit, through bin/idyl: stable code, field, exit 1, nothing stored', () => {
  let world: E2eWorld;
  let revisionBefore = 0;
  before(async () => {
    world = await E2eWorld.start();
    await world.subnet('open-lab');
    await world.subnet('vm-default', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' });
    await world.subnet('fc-gpu', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', allowedVMMBackends: ['firecracker'], microvmGPU: true });
    revisionBefore = await world.revision();
  });
  after(async () => {
    await world.dispose();
  });

  it('invalid_isolation_class: a VMM backend given as a class is refused with the hint and the valid values', async () => {
    const { code, error } = await world.cli.fails(['run', IMAGE, '--name', 'w1', '--subnet', 'open-lab', '--isolation-class', 'qemu']);
    assert.equal(code, 1);
    assert.equal(error.code, 'invalid_isolation_class');
    assert.equal(error.details.field, 'spec.isolation.class');
    assert.deepEqual(error.details.allowed, ['container', 'microvm']);
    assert.equal(error.details.suggestion, 'microvm');
    assert.match(String(error.details.hint), /`qemu` is a VMM backend, not an isolation class/);
  });

  it('invalid_isolation_class: a runtime profile given as a class gets its hint in the table output', async () => {
    const r = await world.cli.run(['run', IMAGE, '--name', 'w2', '--subnet', 'open-lab', '--isolation-class', 'containerd-kata-firecracker']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: invalid_isolation_class: "containerd-kata-firecracker" is not an isolation class \(valid: container, microvm\)/m);
    assert.match(r.stderr, /node runtime profile, not an isolation class: ask for --isolation-class microvm/);
    assert.match(r.stderr, /allowed: container, microvm/);
  });

  it('invalid_isolation_class through a manifest names the Deployment template field', async () => {
    const manifest = ['kind: Deployment', 'metadata:', '  name: w3', '  subnet: open-lab', 'spec:', '  replicas: 2', '  template:', '    spec:', '      isolation: {class: firecracker}', '      containers:', `        - imageURI: ${IMAGE}`].join('\n');
    const { code, error } = await world.cli.fails(['apply', '-f', '-'], { stdin: manifest });
    assert.equal(code, 1);
    assert.equal(error.code, 'invalid_isolation_class');
    assert.equal(error.details.field, 'spec.template.spec.isolation.class');
    assert.match(String(error.details.hint), /`firecracker` is a VMM backend/);
  });

  it('microvm_gpu_not_allowed: a GPU for a microvm workload where the subnet validated no microVM GPU path', async () => {
    const { code, error } = await world.cli.fails(['run', IMAGE, '--name', 'w4', '--subnet', 'vm-default', '--gpu', '1']);
    assert.equal(code, 1);
    assert.equal(error.code, 'microvm_gpu_not_allowed');
    assert.equal(error.details.field, 'spec.gpu');
  });

  it('microvm_gpu_backend_unsupported: a microvm GPU workload where firecracker is the only backend, named at the template field', async () => {
    const { code, error } = await world.cli.fails(['deploy', IMAGE, '--name', 'w5', '--subnet', 'fc-gpu', '--gpu', 'h100']);
    assert.equal(code, 1);
    assert.equal(error.code, 'microvm_gpu_backend_unsupported');
    assert.equal(error.details.field, 'spec.template.spec.gpu');
    assert.match(error.message, /firecracker/);
  });

  it('forbidden_runtime_option: privileged mode and a Kata annotation are refused with their field path', async () => {
    const privileged = ['kind: Pod', 'metadata: {name: w6, subnet: open-lab}', 'spec:', '  containers:', `    - imageURI: ${IMAGE}`, '      securityContext: {privileged: true}'].join('\n');
    const a = await world.cli.fails(['apply', '-f', '-'], { stdin: privileged });
    assert.equal(a.code, 1);
    assert.equal(a.error.code, 'forbidden_runtime_option');
    assert.equal(a.error.details.field, 'spec.containers[0].securityContext.privileged');
    const annotated = {
      kind: 'Pod',
      metadata: { name: 'w7', subnet: 'open-lab', annotations: { 'io.katacontainers.config.hypervisor.path': '/usr/bin/qemu' } },
      spec: { containers: [{ imageURI: IMAGE }] },
    };
    const b = await world.raw('POST', '/v1/namespaces/default/workloads', { body: annotated });
    assert.equal(b.status, 400);
    const body = b.json as { error: { code: string; details: { field: string } } };
    assert.equal(body.error.code, 'forbidden_runtime_option');
    assert.equal(body.error.details.field, 'metadata.annotations["io.katacontainers.config.hypervisor.path"]');
  });

  it('subnet_not_found: a workload for a subnet that does not exist', async () => {
    const { code, error } = await world.cli.fails(['run', IMAGE, '--name', 'w8', '--subnet', 'no-such-subnet']);
    assert.equal(code, 1);
    assert.equal(error.code, 'subnet_not_found');
    const edit = await world.cli.fails(['subnet', 'edit', 'no-such-subnet', '--allow-microvm-gpu']);
    assert.equal(edit.code, 1);
    assert.equal(edit.error.code, 'subnet_not_found');
  });

  const POLICIES: Array<[what: string, flags: string[], field: string]> = [
    ['an unknown class', ['--allowed-isolation-class', 'microvm,vm'], 'allowedIsolationClasses[1]'],
    ['an empty class list', ['--allowed-isolation-class', ''], 'allowedIsolationClasses'],
    ['a default outside the allowed classes', ['--allowed-isolation-class', 'microvm', '--default-isolation-class', 'container'], 'defaultIsolationClass'],
    ['a default with strict', ['--allowed-isolation-class', 'microvm', '--default-isolation-class', 'microvm', '--require-isolation-class'], 'defaultIsolationClass'],
    ['backends without microvm', ['--allowed-isolation-class', 'container', '--allowed-vmm-backend', 'qemu'], 'allowedVMMBackends'],
    ['an unknown backend', ['--allowed-isolation-class', 'microvm', '--allowed-vmm-backend', 'cloud-hypervisor'], 'allowedVMMBackends[0]'],
    ['microvm GPU without microvm', ['--allowed-isolation-class', 'container', '--allow-microvm-gpu'], 'microvmGPU'],
  ];
  for (const [what, flags, field] of POLICIES) {
    it(`invalid_runtime_policy names runtimePolicy.${field} for ${what}; no subnet is created, the refusal is audited`, async () => {
      const name = `bad-${field.toLowerCase().replace(/[^a-z0-9]/g, '')}-${flags.length}`;
      const before = await world.revision();
      const { code, error } = await world.cli.fails(['subnet', 'create', '--region', 'lab-1', '--name', name, ...flags]);
      assert.equal(code, 1);
      assert.equal(error.code, 'invalid_runtime_policy');
      assert.equal(error.details.field, `runtimePolicy.${field}`);
      const names = (await world.api.call<{ items: Subnet[] }>('subnets.list')).items.map((s) => s.name);
      assert.ok(!names.includes(name));
      const events = await world.api.call<{ items: Array<{ type: string; data?: { action?: string; target?: string; allowed?: boolean; reason?: string } }> }>('events.list', { query: { since: before } });
      assert.deepEqual(
        events.items.map((e) => [e.type, e.data?.action, e.data?.target, e.data?.allowed]),
        [['audit', 'subnet.policy.set', name, false]],
      );
      assert.match(String(events.items[0]?.data?.reason), new RegExp(`^runtimePolicy\\.${field.replace(/[[\]]/g, '\\$&')}: `));
    });
  }

  it('invalid_runtime_policy from subnet edit leaves the policy as it was', async () => {
    const { code, error } = await world.cli.fails(['subnet', 'edit', 'vm-default', '--allowed-isolation-class', 'container']);
    assert.equal(code, 1);
    assert.equal(error.code, 'invalid_runtime_policy');
    assert.equal(error.details.field, 'runtimePolicy.defaultIsolationClass');
    const s = await world.api.call<Subnet>('subnets.get', { params: { subnet: 'vm-default' } });
    assert.deepEqual(s.runtimePolicy, { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' });
  });

  it('an operator who lists a class that does not exist is told once, with the policy flag to use', async () => {
    const r = await world.cli.run(['subnet', 'create', '--region', 'lab-1', '--allowed-isolation-class', 'vm']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: invalid_runtime_policy: runtimePolicy\.allowedIsolationClasses\[0\]: "vm" is not an isolation class \(valid: container, microvm\): did you mean --allowed-isolation-class microvm\?\n/);
    assert.doesNotMatch(r.stderr, /--isolation-class /);
    assert.equal(r.stderr.match(/is not an isolation class/g)?.length, 1);
  });

  it('after every refusal above, no workload exists and the event log holds only the audits of the refused policies', async () => {
    for (const kind of ['pods', 'deployments', 'sandboxes']) assert.deepEqual(await world.list(kind), [], kind);
    const since = await world.api.call<{ items: Array<{ type: string; data?: { action?: string; allowed?: boolean } }> }>('events.list', { query: { since: revisionBefore } });
    assert.deepEqual(
      since.items.map((e) => [e.type, e.data?.action, e.data?.allowed]),
      Array.from({ length: POLICIES.length + 2 }, () => ['audit', 'subnet.policy.set', false]),
    );
  });
});
