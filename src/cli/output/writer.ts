import { stringify } from 'yaml';
import type { CliIo } from '../io.js';
import type { OutputFormat } from '../config/settings.js';
import { formatTable } from './table.js';
import type { CommandOutput } from './view.js';

/** The one JSON rendering the CLI uses: indented, one document, newline-terminated. */
export function toJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** The one YAML rendering the CLI uses. */
export function toYaml(data: unknown): string {
  return stringify(data, { lineWidth: 0 });
}

/**
 * Renders a command's result: `json` and `yaml` print exactly one document on stdout
 * (the resource, or `{"items": [...]}` for lists); `table` prints the view for people.
 * An empty table prints nothing on stdout and its `empty` sentence on stderr.
 */
export function writeOutput(io: CliIo, format: OutputFormat, out: CommandOutput): void {
  if (format === 'json') {
    io.stdout.write(toJson(out.data));
    return;
  }
  if (format === 'yaml') {
    io.stdout.write(toYaml(out.data));
    return;
  }
  const view = out.view;
  if (view.kind === 'none') return;
  if (view.kind === 'text') {
    io.stdout.write(view.text.endsWith('\n') ? view.text : `${view.text}\n`);
    return;
  }
  if (view.rows.length === 0) {
    if (view.empty) io.stderr.write(`${view.empty}\n`);
    return;
  }
  io.stdout.write(formatTable(view.header, view.rows));
}
