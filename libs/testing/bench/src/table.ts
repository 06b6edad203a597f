/** A plain-text table, columns padded to their widest cell, that pastes into markdown as it is. */
export function printTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  write: (line: string) => void = console.log,
): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  write(line(header));
  write(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) write(line(row));
}
