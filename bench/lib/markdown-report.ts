// Markdown output shared by the benchmarks that keep their tables in bench/results/*.md.

import { readFileSync, writeFileSync } from 'node:fs';

/** A Markdown table with padded columns, as the repository's formatter writes them. */
export function markdownTable(
  headers: readonly string[],
  isRight: readonly boolean[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = headers.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((c, i) => (isRight[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' | ')} |`;
  const rule = widths.map((w, i) =>
    isRight[i] === true ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w),
  );
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

/**
 * Writes `section` between `<!-- key:begin -->` and `<!-- key:end -->` in the file at `path`,
 * replacing the previous run's section and keeping the rest; a missing file starts with `header`.
 */
export function writeSection(path: string, header: string, key: string, section: string): void {
  const begin = `<!-- ${key}:begin -->`;
  const end = `<!-- ${key}:end -->`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = header;
  }
  const block = `${begin}\n${section}${end}\n`;
  const at = text.indexOf(begin);
  const until = text.indexOf(end);
  text =
    at >= 0 && until > at
      ? text.slice(0, at) + block + text.slice(until + end.length + 1)
      : `${text}${block}\n`;
  writeFileSync(path, text);
}
