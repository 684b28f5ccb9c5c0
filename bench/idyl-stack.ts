import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeProfile } from '../src/api/isolation.js';
import type { List } from '../src/api/wire.js';
import type { Workload } from '../src/api/workload.js';
import { podManifest } from '../src/cli/flags/manifest-flags.js';
import { ApiClient } from '../src/client/api-client.js';
import { joinAndStart, joinedNode, removeNodeContainers, type AgentProcess } from '../test/support/agent-process.js';
import { CliUser, startServerProcess, type ServerProcess } from '../test/support/idyl-bin.js';
import { nodeContainers } from '../test/support/engine-cli.js';
import { runId } from '../test/support/run-id.js';
import { waitUntil } from '../test/support/wait-until.js';

/** A pod as the bench sent it: its id and when the create call left the client (epoch ms). */
export interface SentPod {
  readonly id: string;
  readonly name: string;
  readonly sentAt: number;
}

/**
 * One real control plane (`bin/idyl server`, SQLite) and one real node agent of a
 * runtime profile, started as a user starts them (`idyl login`, `idyl subnet create`,
 * `idyl node join --subnet S --runtime-profile P --start`), and an API client that
 * creates pods the way `bin/idyl run` does.
 */
export class IdylStack {
  private constructor(
    readonly profile: RuntimeProfile,
    readonly server: ServerProcess,
    readonly user: CliUser,
    readonly agent: AgentProcess,
    readonly nodeId: string,
    readonly client: ApiClient,
    private readonly subnet: string,
    private readonly dir: string,
  ) {}

  /** Starts the server and the agent; resolves once the agent's assignment stream is connected. */
  static async start(profile: RuntimeProfile): Promise<IdylStack> {
    const dir = mkdtempSync(join(tmpdir(), `idyl-bench-${profile}-`));
    const server = await startServerProcess(['--log-level', 'warn']);
    const user = new CliUser(`bench-${profile}`);
    const subnet = `bench-${profile}`;
    try {
      await user.ok('login', '--realm', server.url, '--token', server.rootToken);
      await user.ok('subnet', 'create', '--region', 'bench', '--name', subnet, '--allowed-isolation-class', 'container', '--default-isolation-class', 'container');
      const agent = await joinAndStart(user, join(dir, 'node'), subnet, profile, `bench-${profile}-${runId()}`);
      const client = new ApiClient({ realm: server.url, token: server.rootToken });
      return new IdylStack(profile, server, user, agent, joinedNode(join(dir, 'node')).nodeId, client, subnet, dir);
    } catch (err) {
      await server.stop();
      user.remove();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Creates pod `name` running `args` in the image (as `idyl run IMAGE --name N --cpu C --memory M -- ARGS` sends it). */
  async deploy(image: string, name: string, args: readonly string[], resources: { cpu: string; memory: string }): Promise<SentPod> {
    const manifest = podManifest({ name, namespace: 'default', subnet: this.subnet }, image, resources, args);
    const sentAt = Date.now();
    const answer = await this.client.call<Workload | { workload: Workload }>('workloads.create', { params: { namespace: 'default' }, body: manifest });
    const w = 'workload' in answer ? answer.workload : answer;
    return { id: w.metadata.id, name, sentAt };
  }

  /**
   * Deletes every pod and resolves once the agent removed their containers from the
   * engine (seen through the engine's own tool; the pod list hides pods being deleted).
   */
  async deleteAllPods(timeoutMs = 180_000): Promise<void> {
    const pods = await this.pods();
    await Promise.all(pods.map((p) => this.client.call('workloads.delete', { params: { namespace: 'default', kind: 'pods', name: p.metadata.name } })));
    await waitUntil('the agent to remove every bench container', async () => (await this.containers()).length === 0, timeoutMs, 500);
  }

  private containers(): ReturnType<typeof nodeContainers> {
    return nodeContainers(this.profile === 'docker' ? 'docker' : 'containerd', this.nodeId);
  }

  /**
   * Stops the agent (SIGTERM, as Ctrl-C) and the server, sweeps the node's containers and
   * removes the temp dirs. Resolves how many containers of the node are left on the engine,
   * and whether the agent exited within 15 s of SIGTERM (else it was killed).
   */
  async stop(): Promise<{ leftovers: number; agentExited: boolean }> {
    this.client.close();
    const agentExited = await this.agent.stop('SIGTERM').then(
      () => true,
      (err: unknown) => (console.error(`deploy-latency: ${err instanceof Error ? err.message.slice(-2500) : String(err)}`), false),
    );
    await removeNodeContainers(this.profile, join(this.dir, 'node'), this.nodeId);
    await this.server.stop();
    this.user.remove();
    rmSync(this.dir, { recursive: true, force: true });
    return { leftovers: (await this.containers()).length, agentExited };
  }

  private async pods(): Promise<readonly Workload[]> {
    return (await this.client.call<List<Workload>>('workloads.list', { params: { namespace: 'default', kind: 'pods' } })).items;
  }
}
