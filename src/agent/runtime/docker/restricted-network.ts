import type Dockerode from 'dockerode';
import { LABELS } from '../driver.js';
import { engineFailure, statusOf } from './engine-error.js';

/** The network class label on the network idyl creates for `restricted-egress`. */
export const NETWORK_CLASS_LABEL = 'idyl.network-class';

/**
 * The one bridge network that `restricted-egress` containers join, created on
 * first use and then remembered. It is `internal` (no route off the node, no NAT)
 * and has inter-container traffic switched off, so such a container can reach
 * neither the outside nor its neighbours. Shared by every such container on the
 * node, so removing a container leaves it in place; it carries `idyl.managed`.
 */
export class RestrictedNetwork {
  private ready: Promise<string> | undefined;

  constructor(
    private readonly docker: Dockerode,
    /** The network's name. */
    readonly name: string,
  ) {}

  /** Resolves with the network's name once it exists. */
  ensure(): Promise<string> {
    this.ready ??= this.create().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Forgets that the network exists (it was removed behind the driver's back). */
  forget(): void {
    this.ready = undefined;
  }

  private async create(): Promise<string> {
    try {
      await this.docker.getNetwork(this.name).inspect();
      return this.name;
    } catch (error) {
      if (statusOf(error) !== 404) throw engineFailure('create', `network ${this.name}`, error);
    }
    try {
      await this.docker.createNetwork({
        Name: this.name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        Labels: { [LABELS.managed]: 'true', [NETWORK_CLASS_LABEL]: 'restricted-egress' },
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
      });
    } catch (error) {
      // Another driver on this node created it meanwhile: that is the network we want.
      if (statusOf(error) !== 409) throw engineFailure('create', `network ${this.name}`, error);
    }
    return this.name;
  }
}
