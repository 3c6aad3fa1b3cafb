// Aligned columns for people: a header row, then one row per item, columns two spaces
// apart. The last column is not padded, so a long value does not push trailing blanks.
// Widths count code points, which is right for the text vstorctl shows (escaped keys and
// values, names, numbers); wide East Asian characters may misalign, which is cosmetic.

function width(text: string): number {
  let count = 0;
  for (const _character of text) count++;
  return count;
}

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(width(header), ...rows.map((row) => width(row[column] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - width(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
