import type { NodeView } from './snapshot.js';

/**
 * How many pods of each owner (a Deployment) sit on each node, so replicas can be
 * spread. Kept per owner, keyed by node position, because a search asks about one
 * owner across many nodes. Internal to the scheduler, which is the only writer.
 */
export class OwnerSpread {
  readonly #byOwner = new Map<string, Map<number, number>>();

  constructor(nodes: readonly NodeView[]) {
    nodes.forEach((node, index) => {
      for (const [owner, count] of Object.entries(node.allocated.podsByOwner ?? {})) {
        if (Number.isFinite(count) && count > 0) this.#counts(owner).set(index, count);
      }
    });
  }

  /** Pods of `owner` per node position; undefined when the owner has none anywhere. */
  of(owner: string | undefined): ReadonlyMap<number, number> | undefined {
    return owner === undefined ? undefined : this.#byOwner.get(owner);
  }

  /** Records one more pod of `owner` on the node at `index`. */
  add(owner: string | undefined, index: number): void {
    if (owner === undefined) return;
    const counts = this.#counts(owner);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }

  #counts(owner: string): Map<number, number> {
    let counts = this.#byOwner.get(owner);
    if (counts === undefined) {
      counts = new Map();
      this.#byOwner.set(owner, counts);
    }
    return counts;
  }
}
