/**
 * The body rows of the tables under one `## ` heading of a Markdown page, each as its
 * trimmed cells (header and separator rows left out). Empty when the heading is absent.
 */
export function tableRows(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) return [];
  const rows: string[][] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) continue;
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    const next = (lines[i + 1] ?? '').trim();
    // A header row is the one followed by the separator.
    if (/^\|\s*:?-+/.test(next)) continue;
    rows.push(cells);
  }
  return rows;
}

/** `` `code` `` → `code`; anything else → undefined. */
export function codeCell(cell: string | undefined): string | undefined {
  const m = /^`([a-z_]+)`$/.exec(cell ?? '');
  return m?.[1];
}
