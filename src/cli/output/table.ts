/**
 * Lays out a header and rows as left-aligned columns separated by three spaces; the
 * last column is not padded. Empty cells show as `-`. Widths count characters, not
 * bytes, so names with accents stay aligned.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((r) => r.map((c) => (c === '' ? '-' : c.replace(/\s*\n\s*/g, ' '))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
