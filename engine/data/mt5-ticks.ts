import type { Tick } from '../model/tick.ts';
import { parseClockCell, parseDateCell } from './calendar-cells.ts';
import { DataError, NO_DATA_ROWS, notANumber, parseNumberCell, RowProblems, type ImportOptions, type SkippedRow } from './data-error.ts';
import { cellAt, columnName, parseHeader, requireColumn } from './delimited-header.ts';
import { forEachLine, readTextSource } from './text-source.ts';
import { gapProblem, toUtcAfter, zonedTimeFor } from './zoned-time.ts';

export interface Mt5TicksOptions extends ImportOptions {
  /** IANA zone of the export's times (MT5 writes server time); default UTC. */
  readonly timezone?: string;
  /** Name used in error messages (defaults to the file's base name, or `<buffer>`). */
  readonly fileName?: string;
}

export interface Mt5TicksResult {
  readonly ticks: Tick[];
  readonly skipped: readonly SkippedRow[];
  readonly encoding: string;
}

/**
 * Imports an MT5 tick export: tab-separated `<DATE> <TIME> <BID> <ASK> <LAST> <VOLUME> <FLAGS>`
 * with times `HH:MM:SS.mmm`. MT5 writes only the fields a tick changed, so an empty BID or ASK
 * cell means "unchanged from the previous tick" and is filled forward; the first tick must carry
 * both (there is nothing to carry forward), else it is an error. An empty LAST is filled forward
 * too (0 until the first one); an empty VOLUME is 0. Times must not decrease (several ticks in
 * one millisecond are normal). Prices must be positive numbers, and a tick's bid (given or carried)
must not be above its ask: a crossed quote is an error naming both prices (a locked quote, bid
= ask, is fine).
 *
 * @example
 * const { ticks } = importMt5Ticks('EURUSD_ticks.csv');
 */
export function importMt5Ticks(input: Buffer | string, options: Mt5TicksOptions = {}): Mt5TicksResult {
  const source = readTextSource(input, options.fileName);
  const file = source.name;
  const problems = new RowProblems(file, options.skipInvalid === true);
  const zone = zonedTimeFor(options.timezone);
  const ticks: Tick[] = [];
  let header: ReturnType<typeof parseHeader> | undefined;
  let col = { date: -1, time: -1, bid: -1, ask: -1, last: -1, volume: -1 };
  let bid = NaN;
  let ask = NaN;
  let last = 0;
  let lastTime = -Infinity;

  let rows = 0;
  forEachLine(source.text, (line, lineNumber) => {
    if (header === undefined) {
      header = parseHeader(line);
      col = {
        date: requireColumn(file, header, 'DATE'), time: requireColumn(file, header, 'TIME'),
        bid: requireColumn(file, header, 'BID'), ask: requireColumn(file, header, 'ASK'),
        last: header.indexOf('LAST'), volume: header.indexOf('VOLUME'),
      };
      return;
    }
    if (line.trim().length === 0) return;
    rows++;
    const cells = line.split(header.delimiter);

    const date = parseDateCell(cellAt(cells, col.date));
    if (date === undefined) return problems.report(lineNumber, columnName(header, col.date), `${JSON.stringify(cellAt(cells, col.date))} is not a date (YYYY.MM.DD)`);
    const clock = parseClockCell(cellAt(cells, col.time));
    if (clock === undefined) return problems.report(lineNumber, columnName(header, col.time), `${JSON.stringify(cellAt(cells, col.time))} is not a time (HH:MM:SS.mmm)`);

    const newBid = carriedPrice(cellAt(cells, col.bid), bid, 'BID', problems, lineNumber, columnName(header, col.bid));
    if (newBid === undefined) return;
    const newAsk = carriedPrice(cellAt(cells, col.ask), ask, 'ASK', problems, lineNumber, columnName(header, col.ask));
    if (newAsk === undefined) return;
    if (newBid > newAsk) {
      // A crossed quote is not a market (MT5's server never sends one); its mid would be a spike.
      const bidGiven = cellAt(cells, col.bid).length > 0;
      const carried = (given: boolean) => (given ? '' : ' (carried from an earlier tick)');
      return problems.report(lineNumber, columnName(header, bidGiven ? col.bid : col.ask),
        `crossed quote: bid ${newBid}${carried(bidGiven)} is above ask ${newAsk}${carried(cellAt(cells, col.ask).length > 0)}`);
    }
    let newLast = last;
    if (cellAt(cells, col.last).length > 0) {
      const v = parseNumberCell(cellAt(cells, col.last));
      if (v === undefined) return problems.report(lineNumber, columnName(header, col.last), notANumber(cellAt(cells, col.last)));
      newLast = v;
    }
    let volume = 0;
    if (cellAt(cells, col.volume).length > 0) {
      const v = parseNumberCell(cellAt(cells, col.volume));
      if (v === undefined) return problems.report(lineNumber, columnName(header, col.volume), notANumber(cellAt(cells, col.volume)));
      volume = v;
    }
    const wall = date + clock;
    const zoned = zone ? toUtcAfter(zone, wall, lastTime) : undefined;
    if (zoned?.kind === 'gap') return problems.report(lineNumber, columnName(header, col.time), gapProblem(zone!, wall));
    const time = zoned ? zoned.utc : wall;
    if (time < lastTime) {
      return problems.report(lineNumber, columnName(header, col.time), `time ${new Date(time).toISOString()} is before the previous tick's ${new Date(lastTime).toISOString()}`);
    }
    bid = newBid;
    ask = newAsk;
    last = newLast;
    lastTime = time;
    ticks.push({ time, bid, ask, last, volume });
  });
  if (header === undefined) throw new DataError(file, 1, undefined, 'the file is empty (expected a header row)');
  if (rows === 0) throw new DataError(file, 1, undefined, NO_DATA_ROWS);
  return { ticks, skipped: problems.skipped, encoding: source.encoding };
}

/**
 * A BID/ASK cell: empty carries `previous` forward (an error on the first tick, where `previous`
 * is NaN); otherwise a positive number. A problem is reported and gives undefined.
 */
function carriedPrice(text: string, previous: number, what: string, problems: RowProblems, line: number, column: string): number | undefined {
  if (text.length === 0) {
    if (!Number.isNaN(previous)) return previous;
    problems.report(line, column, `empty ${what} on the first tick (nothing to carry forward)`);
    return undefined;
  }
  const v = parseNumberCell(text);
  if (v === undefined) problems.report(line, column, notANumber(text));
  else if (v <= 0) problems.report(line, column, `${what} ${v} is not a positive price`);
  else return v;
  return undefined;
}
