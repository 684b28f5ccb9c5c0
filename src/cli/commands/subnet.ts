import type { Command } from 'commander';
import type { Subnet } from '../../api/subnet.js';
import type { List, SubnetEditResult } from '../../api/wire.js';
import type { App } from '../app.js';
import { CliError, usageError } from '../cli-error.js';
import { addPolicyFlags, policyForCreate, policyPatchForEdit, type PolicyFlags } from '../flags/policy-flags.js';
import { age, policySummary } from '../output/format.js';
import { listOutput, resourceOutput, textOutput, type Column } from '../output/view.js';
import { registerSubnetAdmission } from './subnet-admission.js';
import { noun } from './noun.js';

function columns(now: Date): Column<Subnet>[] {
  return [
    { header: 'SLUG', value: (s) => s.slug },
    { header: 'NAME', value: (s) => s.name ?? '-' },
    { header: 'REGION', value: (s) => s.region },
    { header: 'RUNTIME POLICY', value: (s) => policySummary(s.runtimePolicy) },
    { header: 'DEVELOPERS', value: (s) => s.admission?.developer.mode ?? '-' },
    { header: 'PROVIDERS', value: (s) => s.admission?.provider.mode ?? '-' },
    { header: 'AGE', value: (s) => age(s.createdAt, now) },
  ];
}

function named(s: Subnet): string {
  return s.name ? `${s.slug} (name ${s.name})` : s.slug;
}

/** `idyl subnet ...`: create, edit, get/list, delete, approve, unapprove, admission. */
export function registerSubnet(program: Command, app: App): void {
  const subnet = noun(program, 'subnet', 'subnets: runtime policy, admission, deploy approval', ['subnets']);

  addPolicyFlags(
    subnet.command('create').description('create a subnet; prints its slug').requiredOption('--region <region>', 'region of its control plane, e.g. us-east').option('--name <name>', 'bound name'),
    false,
  ).action(
    app.action<PolicyFlags & { region: string; name?: string }, []>(async (ctx) => {
      const runtimePolicy = policyForCreate(ctx.opts);
      const body = { region: ctx.opts.region, ...(ctx.opts.name !== undefined ? { name: ctx.opts.name } : {}), ...(runtimePolicy ? { runtimePolicy } : {}) };
      const s = await (await ctx.client()).call<Subnet>('subnets.create', { body });
      return textOutput(s, `✓ Subnet ${named(s)} created\n  region ${s.region} · runtime policy: ${policySummary(s.runtimePolicy)}`);
    }),
  );

  addPolicyFlags(subnet.command('edit').description('change the runtime policy; each given flag replaces that field').argument('<subnet>', 'slug or bound name'), true).action(
    app.action<PolicyFlags, [string]>(async (ctx, ref) => {
      const patch = policyPatchForEdit(ctx.opts);
      if (!patch) throw usageError('nothing to change: give at least one policy flag or --clear-runtime-policy', 'idyl subnet edit --help');
      const r = await (await ctx.client()).call<SubnetEditResult>('subnets.edit', { params: { subnet: ref }, body: patch });
      const a = r.affected;
      const effects = a
        ? `affected workloads: ${a.pendingFailed} pending failed (isolation_class_not_allowed) · ${a.runningNonCompliant} running non-compliant (PolicyNonCompliant) · ${a.unaffected} unaffected`
        : 'affected workloads: not reported';
      return textOutput(r, `✓ Subnet ${named(r.subnet)} updated\n  runtime policy: ${policySummary(r.subnet.runtimePolicy)}\n  ${effects}`);
    }),
  );

  subnet
    .command('get')
    .alias('list')
    .description('one subnet, or all the account manages')
    .argument('[subnet]', 'slug or bound name')
    .action(
      app.action<object, [string | undefined]>(async (ctx, ref) => {
        const client = await ctx.client();
        const cols = columns(ctx.io.now());
        if (ref !== undefined) return resourceOutput(await client.call<Subnet>('subnets.get', { params: { subnet: ref } }), cols);
        return listOutput((await client.call<List<Subnet>>('subnets.list')).items, cols, 'No subnets.');
      }),
    );

  subnet
    .command('delete')
    .description('delete a subnet (refused while workloads run there)')
    .argument('<subnet>', 'slug or bound name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      app.action<{ yes?: boolean }, [string]>(async (ctx, ref) => {
        const { io } = ctx;
        if (!ctx.opts.yes && io.stdinIsTTY && io.stderrIsTTY && !(await io.confirm(`Delete subnet ${ref}?`))) {
          throw new CliError('cancelled', `subnet ${ref} was not deleted: not confirmed`, { hint: `idyl subnet delete ${ref} -y` });
        }
        const answer = await (await ctx.client()).call<unknown>('subnets.delete', { params: { subnet: ref } });
        return textOutput(answer ?? { subnet: ref, deleted: true }, `✓ Subnet ${ref} deleted`);
      }),
    );

  subnet
    .command('approve')
    .description("approve a subnet for the account's deploys")
    .argument('<subnet>', 'slug or bound name')
    .action(
      app.action<object, [string]>(async (ctx, ref) => {
        const answer = await (await ctx.client()).call<unknown>('subnets.approve', { params: { subnet: ref } });
        return textOutput(answer ?? { subnet: ref, approved: true }, `✓ Subnet ${ref} approved for deploys`);
      }),
    );

  subnet
    .command('unapprove')
    .description('remove that approval')
    .argument('<subnet>', 'slug or bound name')
    .action(
      app.action<object, [string]>(async (ctx, ref) => {
        const answer = await (await ctx.client()).call<unknown>('subnets.unapprove', { params: { subnet: ref } });
        return textOutput(answer ?? { subnet: ref, approved: false }, `✓ Subnet ${ref} no longer approved for deploys`);
      }),
    );

  registerSubnetAdmission(subnet, app);
}
