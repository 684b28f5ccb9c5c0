import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { IdylError } from '../../api/errors.js';
import type { ApplyResult } from '../../api/wire.js';
import type { App } from '../app.js';
import { usageError } from '../cli-error.js';
import type { Settings } from '../config/settings.js';
import { readStdin, type CliIo } from '../io.js';
import type { CommandOutput } from '../output/view.js';
import { pluralOfKind } from '../workload/kinds.js';

interface ApplyOpts {
  readonly filename: string;
}

/** One manifest document ready to send. */
interface Prepared {
  /** The document's number in the file (from 1). */
  readonly document: number;
  /** `document N`, or `document N item M` in a list. */
  readonly where: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly accountId?: string;
  readonly body: Record<string, unknown>;
}

async function readSource(io: CliIo, file: string): Promise<string> {
  if (file === '-') return readStdin(io);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as { code?: string }).code ?? String(err)}`, 'idyl apply -f FILE (or -f - to read stdin)');
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value read from the file, and where it was. */
interface Located {
  readonly document: number;
  readonly where: string;
  readonly value: unknown;
}

/**
 * The documents of `text` as plain values. A document that does not parse, or whose
 * aliases expand beyond the YAML library's limit (an alias bomb), is not valid YAML.
 */
function parseDocuments(text: string): Located[] {
  return parseAllDocuments(text).map((doc, i) => {
    const where = `document ${i + 1}`;
    const notYaml = (why: string) => new IdylError('validation_failed', `${where}: not valid YAML: ${why}`, { field: where });
    if (doc.errors.length > 0) throw notYaml(doc.errors[0]?.message ?? '');
    try {
      return { document: i + 1, where, value: doc.toJS() as unknown };
    } catch (err) {
      throw notYaml(err instanceof Error ? err.message : String(err));
    }
  });
}

/**
 * The manifests of one document: the document itself, or the items of a list as
 * `idyl get KIND -o yaml` prints it (`{items: [...]}`, no kind).
 */
function manifestsOf(d: Located): Located[] {
  const { value } = d;
  if (isRecord(value) && value.kind === undefined && Array.isArray(value.items)) {
    return value.items.map((item: unknown, j) => ({ document: d.document, where: `${d.where} item ${j + 1}`, value: item }));
  }
  return [d];
}

/**
 * Parses every YAML document and decides where each goes. Precedence: command-line
 * flags, then the manifest's own `metadata.namespace`/`subnet`, then the context.
 * Read-only fields (`status`, server-set metadata) are sent as they are: the server's
 * apply ignores them.
 */
export function prepareManifests(text: string, s: Settings): Prepared[] {
  const out: Prepared[] = [];
  for (const { document, where, value } of parseDocuments(text).flatMap(manifestsOf)) {
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) throw new IdylError('validation_failed', `${where}: a manifest is a mapping with kind, metadata and spec`, { field: where });
    if (typeof value.kind !== 'string' || value.kind === '') throw new IdylError('validation_failed', `${where}: kind: required`, { field: 'kind' });
    const meta = isRecord(value.metadata) ? value.metadata : {};
    if (typeof meta.name !== 'string' || meta.name === '') throw new IdylError('validation_failed', `${where}: metadata.name: required`, { field: 'metadata.name' });
    const ns = meta.namespace;
    const manifestNs = typeof ns === 'string' ? ns : isRecord(ns) && typeof ns.namespace === 'string' ? ns.namespace : undefined;
    const manifestAccount = isRecord(ns) && typeof ns.accountId === 'string' ? ns.accountId : undefined;
    const namespace = s.fromFlags.namespace ? s.namespace : (manifestNs ?? s.namespace);
    const subnet = s.fromFlags.subnet ? s.subnet : (typeof meta.subnet === 'string' ? meta.subnet : s.subnet);
    out.push({
      document,
      where,
      kind: value.kind,
      name: meta.name,
      namespace,
      ...(!s.fromFlags.accountId && manifestAccount ? { accountId: manifestAccount } : {}),
      body: { ...value, metadata: { ...meta, namespace, ...(subnet !== undefined ? { subnet } : {}) } },
    });
  }
  return out;
}

/** `idyl apply -f FILE`: creates or updates what each document of the manifest describes. */
export function registerApply(program: Command, app: App): void {
  program
    .command('apply')
    .description('create or update the workloads a YAML manifest describes (several documents allowed)')
    .requiredOption('-f, --filename <file>', 'manifest file, or - for stdin')
    .action(
      app.action<ApplyOpts, []>(async (ctx): Promise<CommandOutput> => {
        const s = await ctx.settings();
        const docs = prepareManifests(await readSource(ctx.io, ctx.opts.filename), s);
        if (docs.length === 0) throw usageError(`${ctx.opts.filename} holds no manifest`);
        const client = await ctx.client();
        const results: ApplyResult[] = [];
        for (const d of docs) {
          try {
            results.push(
              await client.call<ApplyResult>('workloads.apply', {
                params: { namespace: d.namespace, kind: pluralOfKind(d.kind), name: d.name },
                body: d.body,
                ...(d.accountId ? { accountId: d.accountId } : {}),
              }),
            );
          } catch (err) {
            if (!(err instanceof IdylError)) throw err;
            const applied = results.map((r) => `${r.workload.kind}/${r.workload.metadata.name} ${r.action}`);
            throw new IdylError(err.code, `${d.where} (${d.kind} ${d.name}): ${err.message}`, {
              ...err.details,
              document: d.document,
              ...(applied.length ? { applied } : {}),
            });
          }
        }
        const text = results.map((r) => `✓ ${r.workload.kind} ${r.workload.metadata.name} ${r.action}`).join('\n');
        return { data: { items: results }, view: { kind: 'text', text } };
      }),
    );
}
