import type { Command } from 'commander';
import type { AdmissionEntry, SubnetAdmission } from '../../api/subnet.js';
import type { App } from '../app.js';
import { usageError } from '../cli-error.js';
import type { Settings } from '../config/settings.js';
import { age } from '../output/format.js';
import { formatTable } from '../output/table.js';
import { textOutput } from '../output/view.js';

interface SubjectOpts {
  readonly developerAccount?: string;
  readonly providerFleet?: string;
  readonly providerNode?: string;
}

/** The subnet of an admission command: `--subnet` or the context's; required. */
function subnetOf(s: Settings): string {
  if (!s.subnet) throw usageError('--subnet is required (or save one: idyl context edit --set-subnet S)', 'idyl subnet admission get --subnet SUBNET');
  return s.subnet;
}

/** Exactly one of the three subject flags, as the grant body field and the revoke path kind. */
function subjectOf(o: SubjectOpts): { field: 'developerAccount' | 'providerFleet' | 'providerNode'; kind: 'account' | 'fleet' | 'node'; id: string } {
  const given = [
    o.developerAccount !== undefined && ({ field: 'developerAccount', kind: 'account', id: o.developerAccount } as const),
    o.providerFleet !== undefined && ({ field: 'providerFleet', kind: 'fleet', id: o.providerFleet } as const),
    o.providerNode !== undefined && ({ field: 'providerNode', kind: 'node', id: o.providerNode } as const),
  ].filter((g) => g !== false);
  const [one] = given;
  if (!one || given.length > 1) throw usageError('give exactly one of --developer-account, --provider-fleet, --provider-node');
  return one;
}

function admissionText(a: SubnetAdmission, subnet: string, now: Date): string {
  const head = `subnet ${subnet}\n  developer admission: ${a.developer.mode}\n  provider admission:  ${a.provider.mode}\n`;
  if (!a.entries?.length) return `${head}  no grants or requests\n`;
  const rows = a.entries.map((e: AdmissionEntry) => [e.type, e.subjectKind, e.subjectId, e.state, age(e.at, now)]);
  return head + formatTable(['TYPE', 'SUBJECT', 'ID', 'STATE', 'AGE'], rows);
}

function addSubjectFlags(cmd: Command): Command {
  return cmd
    .option('--developer-account <id>', 'an account (12 digits) that may deploy')
    .option('--provider-fleet <id>', 'a fleet whose nodes may join')
    .option('--provider-node <id>', 'a node that may join');
}

/** `idyl subnet admission get|set|grant|revoke --subnet S ...`. */
export function registerSubnetAdmission(subnet: Command, app: App): void {
  const admission = subnet.command('admission').alias('admissions').description('who may deploy into the subnet and which capacity may join it');

  admission
    .command('get')
    .aliases(['list', 'ls'])
    .description('admission modes, grants and requests')
    .action(
      app.action<object, []>(async (ctx) => {
        const ref = subnetOf(await ctx.settings());
        const a = await (await ctx.client()).call<SubnetAdmission>('admission.get', { params: { subnet: ref } });
        return textOutput(a, admissionText(a, ref, ctx.io.now()));
      }),
    );

  admission
    .command('set')
    .description('set the developer or provider admission mode')
    .requiredOption('--type <type>', 'developer or provider')
    .requiredOption('--mode <mode>', 'open, approval or invite')
    .action(
      app.action<{ type: string; mode: string }, []>(async (ctx) => {
        const ref = subnetOf(await ctx.settings());
        const answer = await (await ctx.client()).call<unknown>('admission.set', { params: { subnet: ref, type: ctx.opts.type }, body: { mode: ctx.opts.mode } });
        return textOutput(answer ?? { subnet: ref, type: ctx.opts.type, mode: ctx.opts.mode }, `✓ ${ctx.opts.type} admission of subnet ${ref} is now ${ctx.opts.mode}`);
      }),
    );

  addSubjectFlags(admission.command('grant').description('admit an account (developer), a fleet or a node (provider)')).action(
    app.action<SubjectOpts, []>(async (ctx) => {
      const subject = subjectOf(ctx.opts);
      const ref = subnetOf(await ctx.settings());
      const answer = await (await ctx.client()).call<unknown>('admission.grant', { params: { subnet: ref }, body: { [subject.field]: subject.id } });
      return textOutput(answer ?? { subnet: ref, granted: subject }, `✓ ${subject.kind} ${subject.id} admitted to subnet ${ref}`);
    }),
  );

  addSubjectFlags(admission.command('revoke').description('withdraw a grant')).action(
    app.action<SubjectOpts, []>(async (ctx) => {
      const subject = subjectOf(ctx.opts);
      const ref = subnetOf(await ctx.settings());
      const answer = await (await ctx.client()).call<unknown>('admission.revoke', { params: { subnet: ref, kind: subject.kind, id: subject.id } });
      return textOutput(answer ?? { subnet: ref, revoked: subject }, `✓ ${subject.kind} ${subject.id} no longer admitted to subnet ${ref}`);
    }),
  );
}
