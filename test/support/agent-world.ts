import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeProfile } from '../../src/api/isolation.js';
import { joinAndStart, joinedNode, removeNodeContainers, type AgentProcess } from './agent-process.js';
import { CliUser, startServerProcess, type ServerProcess } from './idyl-bin.js';
import { runId } from './run-id.js';

/** The profiles whose agents run on this machine's real engines, with the engine each drives. */
export const ENGINE_CASES: ReadonlyArray<{ readonly profile: RuntimeProfile; readonly engine: 'docker' | 'containerd' }> = [
  { profile: 'docker', engine: 'docker' },
  { profile: 'containerd-runc', engine: 'containerd' },
];

/** What a test of real agents shares: a logged-in user, a folder for state dirs, and what to clean up. */
export interface AgentWorld {
  readonly user: CliUser;
  /** A temp folder for the nodes' state dirs. */
  readonly dirs: string;
  /** Agents the tests started: killed at the end. */
  readonly agents: AgentProcess[];
  /** Nodes the tests joined: their containers are removed at the end. */
  readonly nodes: Array<{ profile: RuntimeProfile; dir: string; nodeId: string }>;
  /**
   * Creates `subnet` and joins a node of `profile` into it with a running agent
   * (`node join … --start`, state dir `dirs/PROFILE`); both are cleaned up at the end.
   */
  joinNode(subnet: string, profile: RuntimeProfile, engine: string): Promise<{ agent: AgentProcess; dir: string; nodeId: string }>;
}

/**
 * Call inside a `describe`: starts a real `idyl server` child process and logs a CLI
 * user in before the tests; after them, kills the agents, removes every container of
 * the nodes, stops the server and removes the user's home and the state dirs.
 */
export function agentWorld(name: string): AgentWorld {
  let server: ServerProcess | undefined;
  const world: AgentWorld = {
    user: new CliUser(name),
    dirs: mkdtempSync(join(tmpdir(), `idyl-${name}-`)),
    agents: [],
    nodes: [],
    joinNode: async (subnet, profile, engine) => {
      const dir = join(world.dirs, profile);
      await world.user.ok('subnet', 'create', '--region', 'lab', '--name', subnet);
      const agent = await joinAndStart(world.user, dir, subnet, profile, `${engine}-${runId()}`);
      world.agents.push(agent);
      const { nodeId } = joinedNode(dir);
      world.nodes.push({ profile, dir, nodeId });
      return { agent, dir, nodeId };
    },
  };
  before(async () => {
    server = await startServerProcess();
    await world.user.ok('login', '--realm', server.url, '--token', server.rootToken);
  });
  after(async () => {
    for (const a of world.agents) await a.stop('SIGKILL');
    for (const n of world.nodes) await removeNodeContainers(n.profile, n.dir, n.nodeId);
    await server?.stop();
    world.user.remove();
    rmSync(world.dirs, { recursive: true, force: true });
  });
  return world;
}
