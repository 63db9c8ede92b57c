import { parseIsoCell } from './calendar-cells.ts';
import { DataError, NO_DATA_ROWS, notANumber, parseNumberCell, RowProblems, type ImportOptions, type SkippedRow } from './data-error.ts';
import { cellAt, columnName, parseHeader, type DelimitedHeader } from './delimited-header.ts';
import { forEachLine, readTextSource } from './text-source.ts';
import { createTickSeries, pushTick, type TickSeries } from './tick-series.ts';
import { gapProblem, toUtcAfter, zonedTimeFor } from './zoned-time.ts';

export interface PriceTicksOptions extends ImportOptions {
  /**
   * IANA zone of times written without an offset (e.g. `Europe/Zurich` for the USDCHF
   * fixture); default UTC. Times carrying `Z` or `±hh:mm` keep their own offset.
   */
  readonly timezone?: string;
  /** Name used in error messages (defaults to the file's base name, or `<buffer>`). */
  readonly fileName?: string;
}

/** A row whose local time fell into the autumn overlap, and which occurrence the importer took. */
export interface DstNote {
  readonly line: number;
  readonly kind: 'ambiguous';
  readonly resolution: 'first-occurrence' | 'second-occurrence';
  readonly utc: number;
}

export interface PriceTicksResult {
  /** One tick per row, bid = ask = price (the file holds mid prices), volume 1. */
  readonly ticks: TickSeries;
  readonly skipped: readonly SkippedRow[];
  readonly dstNotes: readonly DstNote[];
}

/**
 * Imports a plain `time,price` file such as `fixtures/usdchf_m30.csv`. The header names the
 * columns `time` and `price` (any order, other columns ignored); without a header the first two
 * columns are taken. Local times are converted to UTC DST-correctly (see `ZonedTime`):
 * - a time in the spring-forward gap, which no clock in the zone shows (Zurich 02:30 on the last
 *   Sunday of March), is a bad row at its own line naming the zone and the skipped hour: the
 *   file's times are not that zone's (read shifted forward, it used to land on the next row's
 *   instant and the error blamed that row);
 * - a time in the autumn overlap takes its first occurrence (summer time), unless that would
 *   not be after the previous row, in which case it is the second occurrence: a file written in
 *   local time that lists 02:00, 02:30, 02:00, 02:30 thus maps to four increasing instants
 *   (listed in `dstNotes`). Times must be strictly increasing after conversion.
 *
 * @example
 * const { ticks } = importPriceTicks('fixtures/usdchf_m30.csv', { timezone: 'Europe/Zurich' });
 */
export function importPriceTicks(input: Buffer | string, options: PriceTicksOptions = {}): PriceTicksResult {
  const source = readTextSource(input, options.fileName);
  const file = source.name;
  const problems = new RowProblems(file, options.skipInvalid === true);
  const zone = zonedTimeFor(options.timezone);
  const dstNotes: DstNote[] = [];
  let ticks = createTickSeries(Math.max(16, source.text.length >> 4));
  let header: DelimitedHeader | undefined;
  let timeCol = 0;
  let priceCol = 1;
  let lastTime = -Infinity;

  let rows = 0;
  forEachLine(source.text, (line, lineNumber) => {
    if (header === undefined) {
      header = parseHeader(line);
      const firstCell = line.split(header.delimiter)[0]?.trim() ?? '';
      if (parseIsoCell(firstCell) === undefined) {
        timeCol = header.indexOf('TIME');
        priceCol = header.indexOf('PRICE');
        if (timeCol === -1 || priceCol === -1) {
          throw new DataError(file, 1, undefined, `header needs "time" and "price" columns (found: ${header.names.join(', ')})`);
        }
        return;
      }
      header = { ...header, names: [] }; // no header row: fall through and read line 1 as data
    }
    if (line.trim().length === 0) return;
    rows++;
    const cells = line.split(header.delimiter);
    const timeText = (cells[timeCol] ?? '').trim();
    const priceText = (cells[priceCol] ?? '').trim();

    const iso = parseIsoCell(timeText);
    if (iso === undefined) return problems.report(lineNumber, columnName(header, timeCol), `${JSON.stringify(timeText)} is not an ISO date-time (YYYY-MM-DDTHH:MM[:SS])`);
    const price = parseNumberCell(priceText);
    if (price === undefined) return problems.report(lineNumber, columnName(header, priceCol), notANumber(priceText));
    if (price <= 0) return problems.report(lineNumber, columnName(header, priceCol), `price ${price} is not positive`);

    let time: number;
    if (iso.offset !== undefined || zone === undefined) time = iso.wall - (iso.offset ?? 0);
    else {
      const r = toUtcAfter(zone, iso.wall, lastTime);
      time = r.utc;
      if (r.kind === 'gap') return problems.report(lineNumber, columnName(header, timeCol), gapProblem(zone, iso.wall));
      if (r.kind === 'ambiguous') {
        dstNotes.push({ line: lineNumber, kind: 'ambiguous', resolution: r.occurrence === 'second' ? 'second-occurrence' : 'first-occurrence', utc: time });
      }
    }
    if (time <= lastTime) {
      return problems.report(lineNumber, columnName(header, timeCol), `time ${timeText} (${new Date(time).toISOString()}) is not after the previous row's ${new Date(lastTime).toISOString()}`);
    }
    lastTime = time;
    ticks = pushTick(ticks, time, price, price, 0, 1);
  });
  if (header === undefined) throw new DataError(file, 1, undefined, 'the file is empty (expected a header row)');
  if (rows === 0) throw new DataError(file, 1, undefined, NO_DATA_ROWS);
  return { ticks, skipped: problems.skipped, dstNotes };
}
