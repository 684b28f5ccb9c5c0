import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { NodeInfo } from '../../src/api/node.js';
import type { Workload } from '../../src/api/workload.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { DockerDriver } from '../../src/agent/runtime/docker/docker-driver.js';
import { LABELS, type RuntimeDriver } from '../../src/agent/runtime/driver.js';
import type { RuntimeProfile } from '../../src/api/isolation.js';
import { ApiClient } from '../../src/client/api-client.js';
import { containerdCheck, scratchNamespace, type ScratchNamespace } from '../support/containerd-test-env.js';
import { describeWithDaemons } from '../support/daemon-gate.js';
import { EditableFixtureHost, FixtureNode } from '../support/fixture-node.js';
import { IdylCli } from '../support/idyl-cli.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { dockerCheck, registryCheck } from '../support/probes.js';
import { RecordingDriver } from '../support/recording-driver.js';
import { waitUntil } from '../support/wait-until.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';
const H100_UUIDS = ['GPU-5e7d4c1a-0b3e-4c2a-9f61-1d2c3b4a5e6f', 'GPU-a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'];
const L4_UUID = 'GPU-11111111-2222-4333-8444-555555555555';

const reasons = (w: Workload) => w.status.unschedulable?.reasons ?? {};
const gpuRows = (n: NodeInfo) => n.gpus.map((g) => [g.pciAddress, g.model ?? null, g.mode, g.named]);

/**
 * Field cases 17, 19 and 20 where a user meets them: a real control plane (in this
 * process), `bin/idyl` for what providers and builders see, and real NodeAgents whose
 * hosts are FAKES: fixture hosts (test/fixtures/hosts/gpu-*) with GPUs in sysfs and an
 * nvidia-smi that answers from a file. This machine has no GPU, no Kata and no NVIDIA
 * container runtime, so the agents' real drivers (Docker; containerd in a namespace of
 * its own) cannot start the GPU pods: Docker has no `nvidia` device driver and the
 * containerd driver refuses GPUs at create (`gpu_attach_failed`). The tests assert what
 * the scheduler decided (placement, the GPU devices in it, the diagnosis), what the CLI
 * shows of it, and that the agent handed the driver exactly the placed GPUs; not a
 * running GPU workload.
 */
void describeWithDaemons('GPUs on running agents (fake GPU hosts)', [dockerCheck(), containerdCheck(), registryCheck()], () => {
  let server: InProcessServer;
  let cli: IdylCli;
  let api: ApiClient;
  let ns: ScratchNamespace;
  const nodes = new Map<string, FixtureNode>();
  const drivers = new Map<string, RecordingDriver>();
  const hosts: EditableFixtureHost[] = [];

  const join = async (subnet: string, name: string, fixture: string, profile: RuntimeProfile, microvmGPU = false): Promise<FixtureNode> => {
    const host = new EditableFixtureHost(fixture);
    hosts.push(host);
    const inner: RuntimeDriver = profile === 'docker' ? new DockerDriver() : new ContainerdDriver({ socket: '/run/containerd/containerd.sock', namespace: ns.namespace, stateDir: ns.stateDir });
    const driver = new RecordingDriver(inner);
    const node = await FixtureNode.join(server.url, server.rootToken, { subnet, name, profile, host, driver, microvmGPU }).catch(async (err: unknown) => {
      await driver.close();
      throw err;
    });
    drivers.set(name, driver);
    nodes.set(name, node);
    return node;
  };
  const node = (name: string): FixtureNode => {
    const n = nodes.get(name);
    assert.ok(n, `node ${name} joined`);
    return n;
  };
  const pod = (name: string) => api.call<Workload>('workloads.get', { params: { namespace: 'default', kind: 'pods', name } });
  const waitPod = (name: string, what: string, accept: (w: Workload) => boolean) =>
    waitUntil(`pod ${name} ${what}`, async () => {
      const w = await pod(name);
      return accept(w) ? w : false;
    });
  const placed = (name: string) => waitPod(name, 'placed', (w) => w.status.placement !== undefined);
  const diagnosed = (name: string) => waitPod(name, 'diagnosed', (w) => w.status.unschedulable !== undefined);
  /** The GPU ids the agent of `nodeName` handed its driver in each create call for pod `podId`. */
  const handed = (nodeName: string, podId: string) =>
    waitUntil(`the agent of ${nodeName} tried to create pod ${podId}`, () => {
      const calls = drivers.get(nodeName)?.creates.filter((c) => c.spec.labels[LABELS.workload] === podId) ?? [];
      return calls.length ? calls.map((c) => (c.spec.gpus ?? []).map((g) => g.id)) : false;
    });

  before(async () => {
    server = await startInProcessServer({ settings: { heartbeatIntervalMs: 50 } });
    api = new ApiClient({ realm: server.url, token: server.rootToken, timeoutMs: 15_000 });
    cli = new IdylCli();
    await cli.ok(['login', '--realm', server.url, '--token', server.rootToken]);
    ns = await scratchNamespace();
    await cli.ok(['subnet', 'create', '--region', 'lab-1', '--name', 'gpu', '--allowed-isolation-class', 'container,microvm', '--default-isolation-class', 'container', '--allowed-vmm-backend', 'qemu', '--allow-microvm-gpu']);
    await cli.ok(['subnet', 'create', '--region', 'lab-1', '--name', 'odd-gpus', '--allowed-isolation-class', 'container,microvm', '--default-isolation-class', 'container']);
    await join('gpu', 'h100-box', 'gpu-host-driver', 'docker');
    await join('gpu', 'mixed-box', 'gpu-mixed', 'docker');
    // Bound to vfio-pci, but the provider did not declare the microVM GPU path.
    await join('gpu', 'vfio-undeclared', 'gpu-vfio', 'containerd-kata-qemu');
  });
  after(async () => {
    for (const n of nodes.values()) await n.stop();
    // Whatever the engines made despite the missing GPUs (Docker may create before it fails to start).
    const cleaner = new DockerDriver();
    for (const d of drivers.values()) if (d.engine === 'docker') for (const id of d.created) await cleaner.remove(id).catch(() => {});
    await cleaner.close();
    await ns?.cleanup();
    for (const h of hosts) h.dispose();
    api?.close();
    cli?.dispose();
    await server?.close();
  });

  it('case 17: node get shows each GPU once, with the mode its binding gives (host-driver, vfio), and the GPUs it does not offer as failed checks', async () => {
    const h100 = await cli.json<NodeInfo>(['node', 'get', 'h100-box']);
    assert.deepEqual(gpuRows(h100), [['0000:17:00.0', 'h100', 'host-driver', true], ['0000:65:00.0', 'h100', 'host-driver', true]]);
    assert.deepEqual(h100.gpus.map((g) => g.id), H100_UUIDS);
    const mixed = await cli.json<NodeInfo>(['node', 'get', 'mixed-box']);
    // The L40S is on vfio-pci: offered as vfio only; the T4s on nouveau are not offered at all.
    assert.deepEqual(gpuRows(mixed), [['0000:01:00.0', 'l4', 'host-driver', true], ['0000:21:00.0', 'l40s', 'vfio', true], ['0000:85:00.0', 'mi300x', 'host-driver', true]]);
    const vfio = await cli.json<NodeInfo>(['node', 'get', 'vfio-undeclared']);
    assert.deepEqual(gpuRows(vfio), [['0000:4b:00.0', 'a100', 'vfio', true], ['0000:ca:00.0', 'a100', 'vfio', true]]);
    // Never the same GPU twice (in two modes): one entry per PCI function and per id.
    for (const n of [h100, mixed, vfio]) {
      assert.equal(new Set(n.gpus.map((g) => g.pciAddress)).size, n.gpus.length, `${n.name}: a PCI function listed twice`);
      assert.equal(new Set(n.gpus.map((g) => g.id)).size, n.gpus.length, `${n.name}: a GPU id listed twice`);
      assert.equal(n.verified, true, `${n.name} is verified: GPU checks never decide it`);
    }
    assert.deepEqual(mixed.conditions.filter((c) => c.type === 'HostCheckFailed').map((c) => c.reason), ['gpu.driver[0000:41:00.0]', 'gpu.driver[0000:43:00.0]']);

    const table = (await cli.ok(['node', 'get', '--subnet', 'gpu'])).stdout;
    assert.match(table, /^\S+\s+h100-box\s.*\s2×h100\(host-driver\)\s/m);
    assert.match(table, /^\S+\s+mixed-box\s.*\s1×l4\(host-driver\),1×l40s\(vfio\),1×mi300x\(host-driver\)\s+HostCheckFailed\(gpu\.driver\[0000:41:00\.0\]\),HostCheckFailed\(gpu\.driver\[0000:43:00\.0\]\),Ready\s/m);
    assert.match(table, /^\S+\s+vfio-undeclared\s.*\s2×a100\(vfio\)\s/m);
  });

  it('case 17: a container pod with --gpu 1 gets a host-driver GPU; asking for the one GPU that is on vfio-pci stays Pending with gpu_mode_mismatch', async () => {
    await cli.ok(['run', IMAGE, '--name', 'c17-ctr', '--subnet', 'gpu', '--gpu', '1']);
    const w = await placed('c17-ctr');
    const p = w.status.placement;
    assert.ok(p);
    const onNode = await cli.json<NodeInfo>(['node', 'get', p.node]);
    assert.ok(['h100-box', 'mixed-box'].includes(onNode.name), `placed on ${onNode.name}`);
    assert.equal(p.gpus?.length, 1);
    const device = onNode.gpus.find((g) => g.id === p.gpus?.[0]);
    assert.equal(device?.mode, 'host-driver', `placed on ${JSON.stringify(device)}`);
    // The agent handed the driver exactly that GPU.
    assert.deepEqual((await handed(onNode.name, w.metadata.id))[0], p.gpus);

    await cli.ok(['run', IMAGE, '--name', 'c17-l40s', '--subnet', 'gpu', '--gpu', '1:l40s']);
    const pending = await diagnosed('c17-l40s');
    assert.equal(pending.status.phase, 'Pending');
    assert.equal(pending.status.placement, undefined);
    assert.equal(reasons(pending).gpu_mode_mismatch, 1);
    const described = (await cli.ok(['describe', 'pod', 'c17-l40s'])).stdout;
    assert.match(described, /^\s*mixed-box\s+gpu_mode_mismatch\s+needs 1 × l40s GPU for a container; the matching GPUs are bound to vfio-pci \(microVMs only\)/m);
    // Free the GPUs for the cases after this one.
    await cli.ok(['delete', 'pod', 'c17-ctr']);
    await cli.ok(['delete', 'pod', 'c17-l40s']);
    await waitUntil('no GPU held in the subnet', async () => (await cli.json<{ items: NodeInfo[] }>(['node', 'get', '--subnet', 'gpu'])).items.every((n) => n.allocated.gpus === 0));
  });

  it('case 17: a microvm pod with --gpu 1 waits while the only vfio node lacks --microvm-gpu, then goes to the vfio GPUs of a qemu node joined with it; describe and -o json name the devices', async () => {
    await cli.ok(['run', IMAGE, '--name', 'c17-vm', '--subnet', 'gpu', '--isolation-class', 'microvm', '--gpu', '1']);
    const pending = await diagnosed('c17-vm');
    const byNode = Object.fromEntries((pending.status.unschedulable?.nodes ?? []).map((n) => [n.nodeName, [n.reason, n.detail ?? '']]));
    assert.equal(byNode['vfio-undeclared']?.[0], 'gpu_mode_mismatch');
    assert.match(byNode['vfio-undeclared']?.[1] ?? '', /declared no microVM GPU path \(--microvm-gpu\)/);
    // Container nodes are out for a microVM before their host-driver GPUs are even looked at.
    assert.equal(byNode['h100-box']?.[0], 'isolation_class_unsupported');
    assert.equal(byNode['mixed-box']?.[0], 'isolation_class_unsupported');
    assert.equal(pending.status.placement, undefined);

    const vm = await join('gpu', 'vfio-box', 'gpu-vfio', 'containerd-kata-qemu', true);
    const w = await placed('c17-vm');
    const p = w.status.placement;
    assert.equal(p?.node, vm.id);
    assert.equal(p?.isolationClass, 'microvm');
    const vfio = await cli.json<NodeInfo>(['node', 'get', 'vfio-box']);
    assert.equal(p?.gpus?.length, 1);
    assert.deepEqual(vfio.gpus.filter((g) => p?.gpus?.includes(g.id)).map((g) => g.mode), ['vfio']);
    assert.deepEqual((await handed('vfio-box', w.metadata.id))[0], p?.gpus);

    const json = await cli.json<Workload>(['get', 'pod', 'c17-vm']);
    assert.deepEqual(json.status.placement?.gpus, p?.gpus);
    const described = (await cli.ok(['describe', 'pod', 'c17-vm'])).stdout;
    assert.match(described, new RegExp(`^Placement:\\s+node vfio-box · containerd-kata-qemu · microvm · qemu · gpus ${p?.gpus?.[0]}$`, 'm'));
    // What the driver said about the GPU it could not attach reaches the user (no GPUs here).
    const failed = await waitPod('c17-vm', 'failed at create', (x) => x.status.phase === 'Failed');
    assert.equal(failed.status.reason, 'gpu_attach_failed');
  });

  it('case 19: --gpu 2:H100 goes to the node reporting h100 and gets both of its H100s', async () => {
    await cli.ok(['run', IMAGE, '--name', 'c19-h100', '--subnet', 'gpu', '--gpu', '2:H100']);
    const w = await placed('c19-h100');
    assert.equal(w.status.placement?.node, node('h100-box').id);
    assert.deepEqual([...(w.status.placement?.gpus ?? [])].sort(), H100_UUIDS);
    const described = (await cli.ok(['describe', 'pod', 'c19-h100'])).stdout;
    assert.match(described, /^Placement:\s+node h100-box · docker · container · gpus GPU-\S+,GPU-\S+$/m);
    for (const id of H100_UUIDS) assert.ok(described.includes(id), `describe names ${id}`);
  });

  it('case 19: a list of models means any of them (`l4|mi300x` takes one of each; `b200,l4` the L4)', async () => {
    await cli.ok(['run', IMAGE, '--name', 'c19-any', '--subnet', 'gpu', '--gpu', '2:L4|MI300X']);
    const w = await placed('c19-any');
    const mixed = await cli.json<NodeInfo>(['node', 'get', 'mixed-box']);
    assert.equal(w.status.placement?.node, mixed.id);
    const models = mixed.gpus.filter((g) => w.status.placement?.gpus?.includes(g.id)).map((g) => g.model).sort();
    assert.deepEqual(models, ['l4', 'mi300x']);
    await cli.ok(['delete', 'pod', 'c19-any']);
    await waitUntil('the L4 is free again', async () => (await cli.json<NodeInfo>(['node', 'get', 'mixed-box'])).allocated.gpus === 0);
    await cli.ok(['run', IMAGE, '--name', 'c19-comma', '--subnet', 'gpu', '--gpu', 'b200,l4']);
    const c = await placed('c19-comma');
    assert.equal(c.status.placement?.node, mixed.id);
    assert.deepEqual(c.status.placement?.gpus, [L4_UUID]);
  });

  it('case 19: a model no node has stays Pending with gpu_unavailable in the diagnosis', async () => {
    await cli.ok(['run', IMAGE, '--name', 'c19-b200', '--subnet', 'gpu', '--gpu', '1:B200']);
    const w = await diagnosed('c19-b200');
    assert.equal(w.status.phase, 'Pending');
    assert.equal(w.status.placement, undefined);
    const byNode = Object.fromEntries((w.status.unschedulable?.nodes ?? []).map((n) => [n.nodeName, n.reason]));
    assert.equal(byNode['h100-box'], 'gpu_unavailable');
    assert.equal(byNode['mixed-box'], 'gpu_unavailable');
    assert.ok((reasons(w).gpu_unavailable ?? 0) >= 2);
    const described = (await cli.ok(['describe', 'pod', 'c19-b200'])).stdout;
    assert.match(described, /^Unschedulable:\s+0\/\d+ nodes eligible: .*gpu_unavailable/m);
    assert.match(described, /^\s*h100-box\s+gpu_unavailable\s+needs 1 × b200 GPU; 0 free host-driver GPU\(s\) match/m);
    const table = (await cli.ok(['get', 'pods', 'c19-b200'])).stdout;
    assert.match(table, /^c19-b200\s+Pending\s.*gpu_unavailable/m);
  });

  it('case 20: GPUs the agent cannot name are reported by vendor and device id, flagged unnamed and by a failed gpu.model check, in node get -o json and the table; they are still offered', async () => {
    await join('odd-gpus', 'odd-box', 'gpu-unnamed', 'docker');
    const n = await cli.json<NodeInfo>(['node', 'get', 'odd-box']);
    assert.equal(n.verified, true);
    assert.deepEqual(
      n.gpus.map((g) => [g.id, g.vendor, g.vendorId, g.deviceId, g.mode, g.model ?? null, g.named]),
      [
        ['pci-0000:0a:00.0', 'nvidia', '0x10de', '0x2f99', 'vfio', null, false],
        ['pci-0000:0b:00.0', 'intel', '0x8086', '0x0bd5', 'host-driver', null, false],
        ['GPU-abcdefab-cdef-4abc-8def-abcdefabcdef', 'nvidia', '0x10de', '0x2bb5', 'host-driver', 'rtx-pro-6000-blackwell-server-edition', true],
      ],
    );
    const flagged = n.conditions.filter((c) => c.type === 'HostCheckFailed');
    assert.deepEqual(flagged.map((c) => c.reason), ['gpu.model[0000:0a:00.0]', 'gpu.model[0000:0b:00.0]']);
    assert.match(flagged[1]?.message ?? '', /0x8086:0x0bd5.*model unknown/);
    assert.deepEqual(n.conditions.filter((c) => c.type === 'Ready').map((c) => c.status), ['True']);

    const table = (await cli.ok(['node', 'get', 'odd-box'])).stdout;
    assert.match(table, /\s1×0x10de:0x2f99\(vfio,unnamed\),1×0x8086:0x0bd5\(host-driver,unnamed\),1×rtx-pro-6000-blackwell-server-edition\(host-driver\)\s/);
    assert.match(table, /HostCheckFailed\(gpu\.model\[0000:0a:00\.0\]\),HostCheckFailed\(gpu\.model\[0000:0b:00\.0\]\)/);

    // Unnamed is not unusable: a pod asking for any Intel GPU gets it.
    await cli.ok(['run', IMAGE, '--name', 'c20-intel', '--subnet', 'odd-gpus', '--gpu', 'intel']);
    const w = await placed('c20-intel');
    assert.equal(w.status.placement?.node, n.id);
    assert.deepEqual(w.status.placement?.gpus, ['pci-0000:0b:00.0']);
    // Placed, but this Docker driver hands only NVIDIA GPUs to containers, and says so.
    const failed = await waitPod('c20-intel', 'failed at create', (x) => x.status.phase === 'Failed');
    assert.equal(failed.status.reason, 'gpu_attach_failed');
    assert.deepEqual(await handed('odd-box', w.metadata.id), [['pci-0000:0b:00.0']]);
  });
});
