import { IdylError, type ErrorDetails } from '../../api/errors.js';
import { CliError } from '../cli-error.js';
import type { OutputFormat } from '../config/settings.js';

/** An error as the CLI reports it: the stable code, a sentence, structured details. */
export interface ReportedError {
  readonly code: string;
  readonly message: string;
  readonly details: ErrorDetails;
  readonly exitCode: number;
}

/** What to try when the server gave no hint of its own. */
const DEFAULT_HINTS: Readonly<Record<string, string>> = {
  unauthenticated: 'idyl login --realm URL --token TOKEN (or check the token of the context: idyl context show)',
  forbidden: 'check the account (-a) and the token: idyl whoami',
  isolation_class_required: 'state the class with --isolation-class (or isolation.class in the manifest)',
  subnet_not_approved: 'idyl subnet approve SUBNET approves it for your account',
  not_admitted: "ask the subnet's owner to admit you (idyl subnet admission grant)",
  subnet_not_found: 'idyl subnet get lists the subnets you manage; check --subnet or the context (idyl context show)',
  unschedulable: 'idyl describe KIND NAME shows the diagnosis; idyl node get shows the nodes',
};

/** Normalises anything a command threw into a reported error; unknown faults become `internal`. */
export function toReported(err: unknown): ReportedError {
  if (err instanceof IdylError || err instanceof CliError) {
    const details: Record<string, unknown> = { ...(err.details ?? {}) };
    if (details.hint === undefined && err.code === 'isolation_class_not_allowed' && Array.isArray(details.allowed)) {
      details.hint = `use --isolation-class ${details.allowed.join(' or ')}, or ask the subnet's operator to allow the class`;
    }
    if (details.hint === undefined && DEFAULT_HINTS[err.code]) details.hint = DEFAULT_HINTS[err.code];
    return { code: err.code, message: err.message, details, exitCode: err instanceof CliError ? err.exitCode : 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `unexpected fault in the CLI: ${message}`, details: { hint: 'run again with IDYL_DEBUG=1 for the stack trace' }, exitCode: 1 };
}

/**
 * The text for stderr. `json`: exactly `{"error": {"code", "message", "details"}}` on one
 * line. Otherwise `error: CODE: sentence`, then the field, allowed values, per-node
 * placement reasons where present, and `try: ...`.
 */
export function renderError(e: ReportedError, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } })}\n`;
  const lines = [`error: ${e.code}: ${e.message}`];
  const d = e.details;
  if (typeof d.field === 'string' && d.field && !e.message.includes(d.field)) lines.push(`  field: ${d.field}`);
  if (Array.isArray(d.allowed) && d.allowed.length) lines.push(`  allowed: ${d.allowed.join(', ')}`);
  if (Array.isArray(d.nodes)) {
    for (const n of d.nodes.slice(0, 20) as Array<{ node?: string; nodeName?: string; reason?: string; detail?: string }>) {
      lines.push(`  ${n.nodeName ?? n.node ?? '?'}: ${n.reason ?? '?'}${n.detail ? ` (${n.detail})` : ''}`);
    }
    if (d.nodes.length > 20) lines.push(`  … and ${d.nodes.length - 20} more nodes (-o json lists all)`);
  }
  if (typeof d.hint === 'string' && d.hint) lines.push(`  try: ${d.hint}`);
  return `${lines.join('\n')}\n`;
}
