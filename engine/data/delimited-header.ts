import { DataError } from './data-error.ts';

/** A parsed header row: the delimiter it uses and each column's index by normalised name. */
export interface DelimitedHeader {
  readonly delimiter: string;
  /** Column names as written in the file (used in error messages). */
  readonly names: readonly string[];
  /** Index of a column by its normalised name (upper case, `<` `>` and spaces removed). */
  indexOf(name: string): number;
}

/** `<TICKVOL>` -> `TICKVOL`, ` price ` -> `PRICE`. */
export function normaliseColumnName(name: string): string {
  return name.trim().replace(/^<|>$/g, '').replace(/\s+/g, '').toUpperCase();
}

/**
 * Reads a header row. MT5 exports are tab-separated; files that went through a spreadsheet
 * are often comma- or semicolon-separated, so the delimiter is whichever of tab, comma or
 * semicolon the header contains (in that order of preference).
 */
export function parseHeader(line: string): DelimitedHeader {
  const delimiter = line.includes('\t') ? '\t' : line.includes(',') ? ',' : line.includes(';') ? ';' : '\t';
  const names = line.split(delimiter).map((n) => n.trim());
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    const key = normaliseColumnName(n);
    if (!index.has(key)) index.set(key, i);
  });
  return { delimiter, names, indexOf: (name) => index.get(normaliseColumnName(name)) ?? -1 };
}

/** Index of a required column, or a DataError on the header line naming what is missing. */
export function requireColumn(file: string, header: DelimitedHeader, name: string): number {
  const i = header.indexOf(name);
  if (i === -1) {
    throw new DataError(file, 1, undefined, `header lacks the ${name} column (found: ${header.names.join(', ') || 'nothing'})`);
  }
  return i;
}

/** A column's name for error messages: the header's text, or its 1-based index without a header. */
export function columnName(header: DelimitedHeader, index: number): string {
  return header.names[index] ?? String(index + 1);
}

/** The trimmed cell at `index`, '' when the row is short or the column absent (-1). */
export function cellAt(cells: readonly string[], index: number): string {
  return index < 0 ? '' : (cells[index] ?? '').trim();
}
