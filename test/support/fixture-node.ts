import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NodeAgent } from '../../src/agent/agent.js';
import { FixtureHostView, fixtureHostsDir, type FixtureHostSpec } from '../../src/agent/host/fixture-host-view.js';
import type { HostView } from '../../src/agent/host/host-view.js';
import { probeHost, requireVerified } from '../../src/agent/host-probe.js';
import type { NodeState } from '../../src/agent/node-state.js';
import type { RuntimeDriver } from '../../src/agent/runtime/driver.js';
import type { RuntimeProfile } from '../../src/api/isolation.js';
import type { CapabilityReport, HostCheck } from '../../src/api/node.js';
import type { JoinResult } from '../../src/api/wire.js';
import { ApiClient } from '../../src/client/api-client.js';
import { waitUntil } from './wait-until.js';

/**
 * A FAKE host that a test edits while the agent runs: a scratch fixture folder on top
 * of a named fixture. Every call reads the folder afresh, so an edit shows in the next probe.
 */
export class EditableFixtureHost implements HostView {
  readonly folder = mkdtempSync(join(tmpdir(), 'idyl-fixture-host-'));

  constructor(readonly base: string) {
    this.set({});
  }

  /** Replaces this layer's host.json (the base stays underneath) and writes `files` (host path → content). */
  set(spec: Omit<FixtureHostSpec, 'base'>, files: Readonly<Record<string, string>> = {}): void {
    rmSync(this.folder, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
    writeFileSync(join(this.folder, 'host.json'), JSON.stringify({ base: join(fixtureHostsDir(), this.base), ...spec }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.folder, path)), { recursive: true });
      writeFileSync(join(this.folder, path), text);
    }
  }

  /** The host as it is now (the agent's probe reads it afresh every time). */
  view(): FixtureHostView {
    return new FixtureHostView(this.folder);
  }

  /** The checks and report the agent would send now, for what the provider declared (`--microvm-gpu`). */
  probe(profile: RuntimeProfile, declared: { microvmGPU: boolean } = { microvmGPU: false }): Promise<{ report: CapabilityReport; checks: readonly HostCheck[] }> {
    return probeHost(this, profile, declared);
  }

  readFile(path: string) { return this.view().readFile(path); }
  exists(path: string) { return this.view().exists(path); }
  list(dir: string) { return this.view().list(dir); }
  readLink(path: string) { return this.view().readLink(path); }
  canReadWrite(path: string) { return this.view().canReadWrite(path); }
  findExecutable(name: string, searchPath?: readonly string[]) { return this.view().findExecutable(name, searchPath); }
  run(file: string, args: readonly string[]) { return this.view().run(file, args); }
  docker() { return this.view().docker(); }
  containerd() { return this.view().containerd(); }
  basics() { return this.view().basics(); }

  dispose(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/**
 * A node agent on a FAKE host: `idyl node join` as the CLI does it (probe, refuse
 * unless verified, register) but against an {@link EditableFixtureHost}, then a real
 * {@link NodeAgent} with a real runtime driver. Its probes are stepped by the test:
 * each {@link heartbeatOnce} lets exactly one probe and the heartbeat that carries it
 * through, so "within one heartbeat" is a count, not a clock.
 */
export class FixtureNode {
  readonly logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  private permits = 0;
  private entered = 0;
  private open = false;
  private wake: (() => void) | undefined;
  private readonly agent: NodeAgent;

  private constructor(readonly host: EditableFixtureHost, readonly state: NodeState, driver: RuntimeDriver) {
    const client = new ApiClient({ realm: state.realm, token: state.credential, userAgent: 'idyl-agent', timeoutMs: 15_000 });
    this.agent = new NodeAgent({
      state,
      client,
      driver,
      host,
      probe: async () => {
        this.entered++;
        this.wake?.();
        while (!this.open && this.permits === 0) await new Promise<void>((r) => (this.wake = r));
        if (!this.open) this.permits--;
        return (await host.probe(state.runtimeProfile, { microvmGPU: state.microvmGPU })).report;
      },
      log: (level, message, fields) => void this.logs.push({ level, message, ...(fields ? { fields } : {}) }),
      stopGraceMs: 1_000,
    });
  }

  /**
   * Joins `host` to `subnet` as the CLI's `node join` does (refused, naming the failed
   * checks, when the host is not verified; `microvmGPU` as `--microvm-gpu`), starts the
   * agent and lets its first heartbeat through.
   */
  static async join(realm: string, token: string, req: { subnet: string; name: string; profile: RuntimeProfile; host: EditableFixtureHost; driver: RuntimeDriver; microvmGPU?: boolean }): Promise<FixtureNode> {
    const microvmGPU = req.microvmGPU === true;
    const { report, checks } = await req.host.probe(req.profile, { microvmGPU });
    requireVerified(req.profile, report, checks);
    const user = new ApiClient({ realm, token, timeoutMs: 15_000 });
    let joined: JoinResult;
    try {
      joined = await user.call<JoinResult>('nodes.join', { body: { subnet: req.subnet, name: req.name, report } });
    } finally {
      user.close();
    }
    const state: NodeState = { nodeId: joined.node.id, name: joined.node.name, realm, credential: joined.credential, subnet: req.subnet, runtimeProfile: req.profile, microvmGPU, joinedAt: new Date().toISOString() };
    const node = new FixtureNode(req.host, state, req.driver);
    // The start-up probe and the first heartbeat's probe.
    node.permits = 2;
    await node.agent.start();
    await node.waitEntered(3);
    return node;
  }

  get id(): string {
    return this.state.nodeId;
  }

  /** Pods the agent runs now. */
  get running(): readonly string[] {
    return this.agent.running;
  }

  /** Lets one probe through and waits until the heartbeat carrying it was answered. */
  async heartbeatOnce(): Promise<void> {
    const before = this.entered;
    const failures = this.logs.filter((l) => l.message === 'heartbeat failed').length;
    this.permits++;
    this.wake?.();
    await this.waitEntered(before + 1);
    const failed = this.logs.filter((l) => l.message === 'heartbeat failed').slice(failures);
    if (failed.length) throw new Error(`the heartbeat failed: ${JSON.stringify(failed)}`);
  }

  /** Stops the agent (probes run freely again so its loops can end). */
  async stop(): Promise<void> {
    this.open = true;
    this.wake?.();
    await this.agent.stop();
  }

  private waitEntered(n: number): Promise<boolean> {
    return waitUntil(`the agent's probe number ${n}`, () => this.entered >= n, 15_000, 20);
  }
}
