/**
 * Rows as aligned columns, the last column cut to fit the terminal (list
 * commands on a terminal or a pipe; `--json` prints objects instead).
 */
export function table(header: string[], rows: string[][], width = 120): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  return all
    .map((row) => {
      const line = row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ');
      return line.length > width ? `${line.slice(0, width - 1)}…` : line;
    })
    .join('\n');
}

/** `2026-12-01 08:39` from an ISO timestamp, in UTC so output is the same everywhere. */
export const shortDate = (iso: string | null | undefined): string =>
  iso ? iso.slice(0, 16).replace('T', ' ') : '-';
