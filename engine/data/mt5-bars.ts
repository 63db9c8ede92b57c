import { appendBar, createBarSeries, TIMEFRAME_MS, type BarSeries, type Timeframe } from '../model/bar.ts';
import { parseClockCell, parseDateCell } from './calendar-cells.ts';
import { DataError, NO_DATA_ROWS, notANumber, parseNumberCell, RowProblems, type ImportOptions, type SkippedRow } from './data-error.ts';
import { cellAt, columnName, parseHeader, requireColumn } from './delimited-header.ts';
import { forEachLine, readTextSource } from './text-source.ts';
import { gapProblem, toUtcAfter, zonedTimeFor } from './zoned-time.ts';

export interface Mt5BarsOptions extends ImportOptions {
  /** Symbol for the series; defaults to the file name up to the first `_`, `.` or space. */
  readonly symbol?: string;
  /** Bar timeframe; inferred from the smallest gap between consecutive bars when omitted. */
  readonly timeframe?: Timeframe;
  /**
   * IANA zone the export's times are in. MT5 writes the broker's server time (often
   * EET/EEST); default UTC. Converted with the rules of `ZonedTime` (`toUtcAfter` in the autumn
   * overlap); a time in the spring-forward gap, which that clock never shows, is a bad row.
   */
  readonly timezone?: string;
  /** Name used in error messages (defaults to the file's base name, or `<buffer>`). */
  readonly fileName?: string;
}

export interface Mt5BarsResult {
  /**
   * The bars, as MT5 writes them: bid prices (`prices: 'bid'`), with the spread column
   * (`series.spread`) when the export has `<SPREAD>` (without one the symbol's spread applies).
   */
  readonly series: BarSeries;
  /** Spread per bar in points (`<SPREAD>`; 0 when the export has no such column). */
  readonly spread: Float64Array;
  /** Real volume per bar (`<VOL>`; 0 for most forex symbols). `series.volume` holds `<TICKVOL>`. */
  readonly realVolume: Float64Array;
  readonly skipped: readonly SkippedRow[];
  readonly encoding: string;
}

/**
 * Imports an MT5 bar export ("Bars" tab of the Symbols window, or a chart's File > Save):
 * tab-separated `<DATE> <TIME> <OPEN> <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>`, dates
 * `YYYY.MM.DD`, times `HH:MM[:SS]` (D1 exports may have no `<TIME>` column), UTF-16LE with a
 * BOM or UTF-8, CRLF or LF. Columns are found by header name, so their order does not matter.
 * Checks every row: numbers, positive prices, high >= max(open, close), low <= min(open,
 * close), strictly increasing time, a spread of 0 or more. Throws a `DataError` on the first bad row unless `skipInvalid`.
 *
 * @example
 * const { series, spread } = importMt5Bars('EURUSD_M30.csv', { timezone: 'Europe/Athens' });
 */
export function importMt5Bars(input: Buffer | string, options: Mt5BarsOptions = {}): Mt5BarsResult {
  const source = readTextSource(input, options.fileName);
  const file = source.name;
  const problems = new RowProblems(file, options.skipInvalid === true);
  const zone = zonedTimeFor(options.timezone);

  let header: ReturnType<typeof parseHeader> | undefined;
  let col = { date: -1, time: -1, open: -1, high: -1, low: -1, close: -1, tickVol: -1, vol: -1, spread: -1 };
  const times: number[] = [];
  const lines: number[] = [];
  const values: number[][] = [[], [], [], [], [], [], [], []];
  let lastTime = -Infinity;

  let rows = 0;
  forEachLine(source.text, (line, lineNumber) => {
    if (header === undefined) {
      header = parseHeader(line);
      const h = header;
      const optional = (n: string) => h.indexOf(n);
      col = {
        date: requireColumn(file, h, 'DATE'), time: optional('TIME'),
        open: requireColumn(file, h, 'OPEN'), high: requireColumn(file, h, 'HIGH'),
        low: requireColumn(file, h, 'LOW'), close: requireColumn(file, h, 'CLOSE'),
        tickVol: optional('TICKVOL'), vol: optional('VOL'), spread: optional('SPREAD'),
      };
      return;
    }
    if (line.trim().length === 0) return;
    rows++;
    const cells = line.split(header.delimiter);

    const date = parseDateCell(cellAt(cells, col.date));
    if (date === undefined) return problems.report(lineNumber, columnName(header, col.date), `${JSON.stringify(cellAt(cells, col.date))} is not a date (YYYY.MM.DD)`);
    let clock = 0;
    if (col.time !== -1) {
      const c = parseClockCell(cellAt(cells, col.time));
      if (c === undefined) return problems.report(lineNumber, columnName(header, col.time), `${JSON.stringify(cellAt(cells, col.time))} is not a time (HH:MM[:SS])`);
      clock = c;
    }
    const numbers: number[] = [];
    for (const i of [col.open, col.high, col.low, col.close]) {
      const v = parseNumberCell(cellAt(cells, i));
      if (v === undefined) return problems.report(lineNumber, columnName(header, i), notANumber(cellAt(cells, i)));
      numbers.push(v);
    }
    for (const i of [col.tickVol, col.vol, col.spread]) {
      if (i === -1) { numbers.push(0); continue; }
      const v = parseNumberCell(cellAt(cells, i));
      if (v === undefined) return problems.report(lineNumber, columnName(header, i), notANumber(cellAt(cells, i)));
      numbers.push(v);
    }
    const [open, high, low, close] = numbers;
    // The ask is the bid plus this many points: a negative spread would put it below the bid.
    if (!(numbers[6] >= 0)) return problems.report(lineNumber, columnName(header, col.spread), `spread ${numbers[6]} is negative (points of ask above the bid)`);
    for (const [k, i] of [col.open, col.high, col.low, col.close].entries()) {
      if (!(numbers[k] > 0)) return problems.report(lineNumber, columnName(header, i), `${PRICE_NAMES[k]} ${numbers[k]} is not a positive price`);
    }
    if (high < Math.max(open, close) || high < low) {
      return problems.report(lineNumber, columnName(header, col.high), `high ${high} is below ${high < low ? `low ${low}` : `max(open ${open}, close ${close})`}`);
    }
    if (low > Math.min(open, close)) return problems.report(lineNumber, columnName(header, col.low), `low ${low} is above min(open ${open}, close ${close})`);
    const wall = date + clock;
    const timeColumn = columnName(header, col.time === -1 ? col.date : col.time);
    const zoned = zone ? toUtcAfter(zone, wall, lastTime) : undefined;
    // Shifted forward, the skipped hour would land on the next real one and be blamed on it.
    if (zoned?.kind === 'gap') return problems.report(lineNumber, timeColumn, gapProblem(zone!, wall));
    const time = zoned ? zoned.utc : wall;
    if (time <= lastTime) {
      return problems.report(lineNumber, timeColumn, `time ${new Date(time).toISOString()} is not after the previous bar's ${new Date(lastTime).toISOString()}`);
    }
    lastTime = time;
    times.push(time);
    lines.push(lineNumber);
    numbers.forEach((v, k) => values[k].push(v));
  });
  if (header === undefined) throw new DataError(file, 1, undefined, 'the file is empty (expected a header row)');
  if (rows === 0) throw new DataError(file, 1, undefined, NO_DATA_ROWS);

  const timeframe = options.timeframe ?? inferTimeframe(file, times, lines);
  const series = createBarSeries(options.symbol ?? symbolFromFileName(file), timeframe, times.length, { prices: 'bid', spread: col.spread !== -1 });
  for (let i = 0; i < times.length; i++) {
    appendBar(series, { time: times[i], open: values[0][i], high: values[1][i], low: values[2][i], close: values[3][i], volume: values[4][i], spread: values[6][i] });
  }
  return {
    series,
    spread: Float64Array.from(values[6]),
    realVolume: Float64Array.from(values[5]),
    skipped: problems.skipped,
    encoding: source.encoding,
  };
}

const PRICE_NAMES = ['open', 'high', 'low', 'close'] as const;

/** Symbol from a file name such as `EURUSD_M30_2020.csv` -> `EURUSD`. */
export function symbolFromFileName(file: string): string {
  const stem = file.split(/[_. ]/)[0];
  return stem.length > 0 && stem !== '<buffer>' ? stem : 'UNKNOWN';
}

/**
 * The timeframe whose length equals the smallest gap between consecutive times. A file it
 * cannot be read from is a DataError on the line that shows it: the only bar, or the second
 * bar of the smallest gap. (`lines[i]` is the file line of `times[i]`.)
 */
export function inferTimeframe(file: string, times: readonly number[], lines: readonly number[] = []): Timeframe {
  let gap = Infinity;
  let at = 0;
  for (let i = 1; i < times.length; i++) {
    if (times[i] - times[i - 1] < gap) {
      gap = times[i] - times[i - 1];
      at = i;
    }
  }
  for (const [tf, ms] of Object.entries(TIMEFRAME_MS)) if (ms === gap) return tf as Timeframe;
  const line = lines[at] ?? 2;
  if (!Number.isFinite(gap)) {
    throw new DataError(file, line, undefined, 'the file holds one bar, and a bar file\'s timeframe is read from the gap between its bars: export two bars or more');
  }
  throw new DataError(file, line, undefined,
    `cannot tell the bars' timeframe: the smallest gap between two bars (lines ${lines[at - 1] ?? '?'} and ${line}) is ${gap / 60_000} min, not one of ${Object.keys(TIMEFRAME_MS).join(', ')}`);
}
