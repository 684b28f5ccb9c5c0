import { access, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { runProgram } from './run-program.js';

/** Where the CNI plugins are and how idyl's bridge network is laid out. */
export interface CniOptions {
  /** Directory of the CNI plugin binaries (Debian's containernetworking-plugins). */
  readonly pluginDir?: string;
  /** The Linux bridge the containers attach to. */
  readonly bridge?: string;
  /** The IPv4 subnet containers get addresses from. */
  readonly subnet?: string;
  /** The host's resolver configuration, copied into networked containers. */
  readonly resolvConf?: string;
}

/** A network class that needs an interface (not `none`). */
export type AttachedNetwork = 'unrestricted' | 'restricted-egress';

/** What a container gets from `setup`. */
export interface NetworkAttachment {
  readonly netnsPath: string;
  readonly address: string;
  readonly resolvConf: string;
}

const LOOPBACK = { type: 'loopback' };
const REQUIRED_PLUGINS = ['loopback', 'bridge', 'host-local', 'firewall'];

/**
 * Networking for containers that are not `none`, by invoking CNI plugins directly.
 * Each container gets its own named network namespace (`ip netns add idyl-<id>`) with
 * an `eth0` on the bridge from host-local IPAM.
 * - `unrestricted`: a default route through the bridge, outbound NAT (ipMasq) and the
 *   firewall plugin's forwarding rules: it reaches anything the host reaches.
 * - `restricted-egress`: only the bridge subnet's route (no default route, no NAT) and
 *   a host FORWARD rule dropping anything it sends beyond the host: it reaches other
 *   containers on the bridge and the node's gateway address, nothing further.
 * The ADD result is kept in the container's state dir so DEL gets its prevResult.
 */
export class CniNetwork {
  private readonly pluginDir: string;
  private readonly bridge: string;
  private readonly subnet: string;
  private readonly resolvConf: string;
  private readonly stateDir: string;

  constructor(stateDir: string, options: CniOptions = {}) {
    this.stateDir = stateDir;
    this.pluginDir = options.pluginDir ?? '/usr/lib/cni';
    this.bridge = options.bridge ?? 'idyl0';
    this.subnet = options.subnet ?? '10.213.0.0/16';
    this.resolvConf = options.resolvConf ?? '/etc/resolv.conf';
  }

  /** Why networking cannot be set up here, or undefined when it can. */
  async unavailable(): Promise<string | undefined> {
    for (const plugin of REQUIRED_PLUGINS) {
      const ok = await access(join(this.pluginDir, plugin), constants.X_OK).then(() => true, () => false);
      if (!ok) return `CNI plugin ${plugin} is not installed in ${this.pluginDir} (install containernetworking-plugins)`;
    }
    return undefined;
  }

  /** Creates the namespace and attaches it; on failure nothing is left. `dir` is the container's state dir. */
  async setup(id: string, mode: AttachedNetwork, dir: string): Promise<NetworkAttachment> {
    const why = await this.unavailable();
    if (why) throw new Error(why);
    const netns = netnsName(id);
    const netnsPath = `/run/netns/${netns}`;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await mustRun('ip', ['netns', 'add', netns]);
    try {
      await this.invoke('ADD', id, netnsPath, LOOPBACK, undefined, 'lo');
      let prev: unknown;
      for (const plugin of this.plugins(mode)) prev = await this.invoke('ADD', id, netnsPath, plugin, prev);
      const address = firstAddress(prev);
      if (mode === 'restricted-egress') await mustRun('iptables', ['-w', '-I', 'FORWARD', ...dropRule(id, address)]);
      await writeFile(join(dir, 'network.json'), JSON.stringify({ mode, address, result: prev }));
      const resolvConf = join(dir, 'resolv.conf');
      await copyFile(this.resolvConf, resolvConf).catch(() => writeFile(resolvConf, ''));
      return { netnsPath, address, resolvConf };
    } catch (err) {
      await this.teardown(id, dir, mode).catch(() => undefined);
      throw err;
    }
  }

  /** Detaches and deletes the namespace; a container without networking is fine. */
  async teardown(id: string, dir: string, knownMode?: AttachedNetwork): Promise<void> {
    const netns = netnsName(id);
    const saved = await readFile(join(dir, 'network.json'), 'utf8').then((t) => JSON.parse(t) as { mode: AttachedNetwork; address: string; result: unknown }, () => undefined);
    const exists = await access(`/run/netns/${netns}`).then(() => true, () => false);
    if (!saved && !exists) return;
    const mode = saved?.mode ?? knownMode ?? 'unrestricted';
    if (saved?.address && mode === 'restricted-egress') {
      await runProgram('iptables', ['-w', '-D', 'FORWARD', ...dropRule(id, saved.address)], 10_000);
    }
    for (const plugin of this.plugins(mode).reverse()) {
      await this.invoke('DEL', id, `/run/netns/${netns}`, plugin, saved?.result).catch(() => undefined);
    }
    if (exists) await runProgram('ip', ['netns', 'delete', netns], 10_000);
    await rm(join(dir, 'network.json'), { force: true });
  }

  private plugins(mode: AttachedNetwork): Array<Record<string, unknown>> {
    const open = mode === 'unrestricted';
    const bridge = {
      type: 'bridge',
      bridge: this.bridge,
      isGateway: true,
      ipMasq: open,
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: this.subnet }]],
        routes: open ? [{ dst: '0.0.0.0/0' }] : [],
        dataDir: join(this.stateDir, 'cni-ipam'),
      },
    };
    return open ? [bridge, { type: 'firewall', backend: 'iptables' }] : [bridge];
  }

  private async invoke(
    command: 'ADD' | 'DEL',
    id: string,
    netnsPath: string,
    plugin: Record<string, unknown>,
    prevResult: unknown,
    ifname = 'eth0',
  ): Promise<unknown> {
    const config = { cniVersion: '1.0.0', name: ifname === 'lo' ? 'idyl-loopback' : 'idyl', ...plugin, ...(prevResult ? { prevResult } : {}) };
    const result = await runProgram(join(this.pluginDir, String(plugin['type'])), [], 30_000, JSON.stringify(config), {
      CNI_COMMAND: command,
      CNI_CONTAINERID: id,
      CNI_NETNS: netnsPath,
      CNI_IFNAME: ifname,
      CNI_PATH: this.pluginDir,
    });
    if (!result || result.code !== 0) {
      throw new Error(`CNI ${plugin['type']} ${command} failed: ${(result?.stdout || result?.stderr || 'could not run').trim()}`);
    }
    return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
  }
}

/** The network namespace name of container `id`. */
export function netnsName(id: string): string {
  return `idyl-${id}`;
}

function dropRule(id: string, address: string): string[] {
  return ['-s', `${address}/32`, '-m', 'comment', '--comment', `idyl restricted-egress ${id}`.slice(0, 255), '-j', 'DROP'];
}

function firstAddress(result: unknown): string {
  const ips = (result as { ips?: Array<{ address?: string }> } | undefined)?.ips ?? [];
  const address = ips[0]?.address?.split('/')[0];
  if (!address) throw new Error('CNI returned no address');
  return address;
}

async function mustRun(file: string, args: string[]): Promise<void> {
  const result = await runProgram(file, args, 30_000);
  if (!result || result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${(result?.stderr || 'could not run').trim()}`);
}
