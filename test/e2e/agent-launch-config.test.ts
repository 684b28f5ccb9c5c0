import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerDriver } from '../../src/agent/runtime/docker/docker-driver.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { isNotFound } from '../../src/agent/runtime/containerd/grpc-status.js';
import type { RuntimeDriver } from '../../src/agent/runtime/driver.js';
import { PROFILE_TABLE, type RuntimeProfile } from '../../src/api/isolation.js';
import type { Workload } from '../../src/api/workload.js';
import { ApiClient } from '../../src/client/api-client.js';
import { containerdCheck, scratchNamespace, type ScratchNamespace } from '../support/containerd-test-env.js';
import { describeWithDaemons, type DaemonCheck } from '../support/daemon-gate.js';
import { EditableFixtureHost, FixtureNode } from '../support/fixture-node.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { dockerCheck, DOCKER_SOCKET, registryCheck } from '../support/probes.js';
import { RecordingDriver } from '../support/recording-driver.js';
import { httpRequest } from '../support/unix-http.js';
import { waitUntil } from '../support/wait-until.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/** What one engine gives this suite: a real driver, and the launch configuration it recorded for a container. */
interface Engine {
  readonly profile: RuntimeProfile;
  readonly fixture: string;
  readonly check: DaemonCheck;
  open(): Promise<{ driver: RuntimeDriver; recorded(id: string): Promise<{ runtime: string; config: unknown } | undefined>; dispose(ids: readonly string[]): Promise<void> }>;
}

const ENGINES: readonly Engine[] = [
  {
    profile: 'docker',
    fixture: 'docker-healthy',
    check: dockerCheck(),
    open: async () => {
      const driver = new DockerDriver();
      return {
        driver,
        recorded: async (id) => {
          const answer = await httpRequest({ socketPath: DOCKER_SOCKET }, 'GET', `/containers/${id}/json`);
          if (answer.status === 404) return undefined;
          const c = JSON.parse(answer.body) as { Config: Record<string, unknown>; HostConfig: { Runtime: string } };
          // Per container by nature: its hostname (from the id) and idyl's labels (pod id, name).
          const { Hostname: _h, Labels: _l, ...config } = c.Config;
          return { runtime: c.HostConfig.Runtime, config: { Config: config, HostConfig: c.HostConfig } };
        },
        dispose: async (ids) => {
          const cleaner = new DockerDriver();
          for (const id of ids) await cleaner.remove(id).catch(() => {});
          await cleaner.close();
        },
      };
    },
  },
  {
    profile: 'containerd-runc',
    fixture: 'containerd-healthy',
    check: containerdCheck(),
    open: async () => {
      const ns: ScratchNamespace = await scratchNamespace();
      const driver = new ContainerdDriver({ socket: '/run/containerd/containerd.sock', namespace: ns.namespace, stateDir: ns.stateDir });
      return {
        driver,
        recorded: async (id) => {
          const record = await ns.conn.call('containers.Get', { id }).then((r) => r.container, (err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          });
          if (!record) return undefined;
          const spec = JSON.parse(Buffer.from(record.spec?.value ?? '').toString('utf8')) as { hostname?: string; linux: Record<string, unknown> };
          // Per container by nature: its hostname and cgroup path (both from the container name).
          const { hostname: _h, ...rest } = spec;
          const { cgroupsPath: _c, ...linux } = spec.linux;
          return { runtime: record.runtime?.name ?? '', config: { runtime: record.runtime, image: record.image, snapshotter: record.snapshotter, spec: { ...rest, linux } } };
        },
        dispose: () => ns.cleanup(),
      };
    },
  },
];

for (const engine of ENGINES) {
  const runtime = PROFILE_TABLE[engine.profile].runtime;
  /**
   * Field cases 8 and 9 where the node launches: a real control plane, a real NodeAgent
   * on a FAKE host (a fixture that proves the profile) and the real engine, whose
   * every create call is recorded on the way through.
   */
  void describeWithDaemons(`what the agent launches on ${engine.profile}`, [engine.check, registryCheck()], () => {
    let server: InProcessServer;
    let api: ApiClient;
    let host: EditableFixtureHost;
    let node: FixtureNode;
    let recorder: RecordingDriver;
    let opened: Awaited<ReturnType<Engine['open']>>;

    const create = (name: string, spec: Record<string, unknown>) =>
      api.call('workloads.create', { params: { namespace: 'default' }, body: { kind: 'Pod', metadata: { name, subnet: 'plain' }, spec } });
    const running = (name: string) =>
      waitUntil(`pod ${name} running`, async () => {
        const w = await api.call<Workload>('workloads.get', { params: { namespace: 'default', kind: 'pods', name } });
        if (w.status.phase === 'Failed') throw new Error(`pod ${name} failed: ${w.status.reason} ${w.status.message}`);
        return w.status.phase === 'Running' && w.status.container?.containerId ? w : false;
      }, 60_000);

    before(async () => {
      server = await startInProcessServer({ settings: { heartbeatIntervalMs: 50 } });
      api = new ApiClient({ realm: server.url, token: server.rootToken, timeoutMs: 15_000 });
      await api.call('subnets.create', { body: { region: 'lab-1', name: 'plain', runtimePolicy: { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'container' } } });
      host = new EditableFixtureHost(engine.fixture);
      opened = await engine.open();
      recorder = new RecordingDriver(opened.driver);
      node = await FixtureNode.join(server.url, server.rootToken, { subnet: 'plain', name: 'n1', profile: engine.profile, host, driver: recorder });
    });
    after(async () => {
      await node?.stop();
      await opened?.dispose(recorder?.created ?? []);
      host?.dispose();
      api?.close();
      await server?.close();
    });

    it('field case 9: a pod inheriting the subnet default class and one stating it launch with byte-identical configuration', async () => {
      const spec = { containers: [{ imageURI: IMAGE, command: ['/bin/sleep', '600'], env: [{ name: 'MODE', value: 'x' }], resources: { requests: { cpu: '250m', memory: '64Mi' } } }] };
      await create('inherits', spec);
      await create('explicit', { ...spec, isolation: { class: 'container' } });
      const [a, b] = [await running('inherits'), await running('explicit')];
      assert.equal(a.status.placement?.isolationClass, 'container');
      assert.equal(b.status.placement?.isolationClass, 'container');
      // What the agent asked the driver for, apart from the name and labels.
      const asked = (id: string | undefined) => {
        const c = recorder.creates.find((x) => x.id === id);
        assert.ok(c, `no create call made ${id}`);
        const { name: _n, labels: _l, ...rest } = c.spec;
        return JSON.stringify(rest);
      };
      assert.equal(asked(a.status.container?.containerId), asked(b.status.container?.containerId));
      // What the engine recorded for each container.
      const [ra, rb] = [await opened.recorded(a.status.container?.containerId ?? ''), await opened.recorded(b.status.container?.containerId ?? '')];
      assert.ok(ra && rb, 'both containers are on the engine');
      assert.equal(JSON.stringify(ra.config), JSON.stringify(rb.config));
    });

    it('field case 8: every create call the agent makes names the runtime, restarts included, and the engine records that one', async () => {
      await create('restarts', { restartPolicy: 'always', containers: [{ imageURI: IMAGE, command: ['/bin/sh', '-c', 'exit 3'] }] });
      await waitUntil('a restart of pod restarts', () => recorder.creates.filter((c) => c.spec.labels['idyl.workload.name'] === 'restarts').length >= 2, 30_000);
      assert.ok(recorder.creates.length >= 4);
      let onEngine = 0;
      for (const c of recorder.creates) {
        assert.equal(c.spec.runtime, runtime, `create of ${c.spec.name}`);
        assert.equal(c.error, undefined);
        // A restart removes the container before it; the ones still there say what the engine used.
        const r = await opened.recorded(c.id ?? '');
        if (r) onEngine++;
        if (r) assert.equal(r.runtime, runtime, `the engine's record of ${c.spec.name}`);
      }
      assert.ok(onEngine >= 3, `${onEngine} containers left on the engine`);
    });
  });
}
