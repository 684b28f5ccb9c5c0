/**
 * How a command's result looks in `table` mode. JSON and YAML print the data; this is
 * only for people.
 * - `table`: aligned columns with a header row; `empty` goes to stderr when there are no rows;
 * - `text`: a prepared block (a confirmation, a description);
 * - `none`: nothing (the command already wrote what it had, e.g. a stream).
 */
export type View =
  | { readonly kind: 'table'; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly empty?: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'none' };

/** What a command returns: the document for `-o json|yaml` and the view for `-o table`. */
export interface CommandOutput {
  readonly data: unknown;
  readonly view: View;
}

/** One column: its header and how a row shows in it. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
}

/** A table view of `rows` through `columns`. */
export function tableView<T>(rows: readonly T[], columns: readonly Column<T>[], empty?: string): View {
  return {
    kind: 'table',
    header: columns.map((c) => c.header),
    rows: rows.map((r) => columns.map((c) => c.value(r))),
    ...(empty !== undefined ? { empty } : {}),
  };
}

/** A list result: `{"items": [...]}` for JSON/YAML, a table for people. */
export function listOutput<T>(items: readonly T[], columns: readonly Column<T>[], empty: string): CommandOutput {
  return { data: { items }, view: tableView(items, columns, empty) };
}

/** A single resource shown as a one-row table. */
export function resourceOutput<T>(item: T, columns: readonly Column<T>[]): CommandOutput {
  return { data: item, view: tableView([item], columns) };
}

/** A result shown to people as a block of text. */
export function textOutput(data: unknown, text: string): CommandOutput {
  return { data, view: { kind: 'text', text } };
}
