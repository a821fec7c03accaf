/** Plain text table with padded columns, for terminal output. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatNumber(v: number | null, digits = 4): string {
  if (v === null) return '-';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(digits + 2).replace(/\.?0+$/, '');
}

/** A bar time for tables: the date for midnight DAY bars, else ISO to the second (UTC). */
export function formatBarTime(ms: number, period: string): string {
  const iso = new Date(ms).toISOString();
  if (period === 'DAY' && iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.replace('.000Z', 'Z');
}
