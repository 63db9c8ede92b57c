/**
 * A malformed row in a data file. `line` is 1-based and counts the header; `column` is the
 * field's header name when the file has one, else its 1-based index as a string.
 *
 * @example
 * try { importMt5Bars('usdchf.csv', { symbol: 'USDCHF' }); }
 * catch (e) { if (e instanceof DataError) console.error(e.file, e.line, e.column, e.message); }
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${column === undefined ? '' : `column "${column}": `}${reason}`);
  }
}

/** An importer's reason for a file with a header and no data rows under it (reported on line 1). */
export const NO_DATA_ROWS = 'the file has a header but no data rows';

/** A row an importer left out because the caller passed `skipInvalid: true`. */
export interface SkippedRow {
  readonly line: number;
  readonly column: string | undefined;
  readonly reason: string;
}

/** Options every importer accepts. */
export interface ImportOptions {
  /**
   * Skip malformed rows instead of throwing on the first one. Skipped rows are always returned
   * in the result's `skipped` list with their line, column and reason; nothing is lost silently.
   */
  readonly skipInvalid?: boolean;
}

/**
 * Collects row problems: throws the first one unless `skipInvalid`, in which case it records it.
 * Importers call `report` and then `continue` past the row.
 */
export class RowProblems {
  readonly skipped: SkippedRow[] = [];
  constructor(
    private readonly file: string,
    private readonly skipInvalid: boolean,
  ) {}

  report(line: number, column: string | undefined, reason: string): void {
    if (!this.skipInvalid) throw new DataError(this.file, line, column, reason);
    this.skipped.push({ line, column, reason });
  }
}

/**
 * A decimal number as a data file writes one: optional sign, digits with at most one dot,
 * optional exponent. `Number()` alone would also take `0x1A`, `0b11`, `0o7` and `Infinity`.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal cell; `undefined` when it is not a finite decimal number (empty counts as invalid). */
export function parseNumberCell(cell: string): number | undefined {
  if (!DECIMAL.test(cell)) return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}

/** The standard "not a number" wording, so every importer reports it the same way. */
export function notANumber(cell: string): string {
  return cell.length === 0 ? 'empty cell where a number is required' : `${JSON.stringify(cell)} is not a number`;
}
