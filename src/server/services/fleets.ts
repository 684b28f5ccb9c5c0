import { IdylError } from '../../api/errors.js';
import type { Fleet } from '../../api/wire.js';
import type { Actor } from '../auth/principal.js';
import { newId } from '../ids.js';
import type { FleetRow } from '../store/rows.js';
import { isoNow, type ServiceDeps } from './deps.js';

const view = (f: FleetRow): Fleet => ({ id: f.id, name: f.name, accountId: f.accountId, createdAt: f.createdAt });

/** Provider fleets: a group of nodes with a stable id and a changeable name. */
export class FleetsService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(actor: Actor, name: string): Promise<Fleet> {
    const row: FleetRow = { id: newId('fleet'), accountId: actor.accountId, name, createdAt: isoNow(this.deps) };
    await this.deps.store.transaction(async (tx) => {
      await tx.fleets.insert(row);
      await tx.events.append({ type: 'fleet.created', accountId: actor.accountId, subjectKind: 'fleet', subjectId: row.id, subjectName: name, message: `fleet ${row.id} (${name}) created` });
    });
    return view(row);
  }

  async list(actor: Actor): Promise<Fleet[]> {
    return (await this.deps.store.read.fleets.listByAccount(actor.accountId)).map(view);
  }

  async get(actor: Actor, id: string): Promise<Fleet> {
    return view(await this.owned(actor, id));
  }

  async rename(actor: Actor, id: string, name: string): Promise<Fleet> {
    const f = await this.owned(actor, id);
    await this.deps.store.transaction(async (tx) => {
      await tx.fleets.rename(id, name);
      await tx.events.append({ type: 'fleet.renamed', accountId: actor.accountId, subjectKind: 'fleet', subjectId: id, subjectName: name, message: `fleet ${id} renamed from ${f.name} to ${name}` });
    });
    return view({ ...f, name });
  }

  async delete(actor: Actor, id: string): Promise<Fleet> {
    const f = await this.owned(actor, id);
    return this.deps.store.transaction(async (tx) => {
      const nodes = await tx.nodes.list({ fleetId: id });
      if (nodes.length > 0) throw new IdylError('conflict', `fleet ${id} still has ${nodes.length} node(s)`, { hint: 'remove them with `idyl node delete` first' });
      await tx.fleets.delete(id);
      await tx.events.append({ type: 'fleet.deleted', accountId: actor.accountId, subjectKind: 'fleet', subjectId: id, subjectName: f.name, message: `fleet ${id} deleted` });
      return view(f);
    });
  }

  private async owned(actor: Actor, id: string): Promise<FleetRow> {
    const f = await this.deps.store.read.fleets.get(id);
    if (!f || f.accountId !== actor.accountId) throw new IdylError('not_found', `no fleet ${id} in account ${actor.accountId}`);
    return f;
  }
}
