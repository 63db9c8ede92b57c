import type { Tick } from '../model/tick.ts';
import { parseClockCell, parseDateCell } from './calendar-cells.ts';
import { DataError, notANumber, parseNumberCell, RowProblems, type ImportOptions, type SkippedRow } from './data-error.ts';
import { parseHeader, requireColumn } from './delimited-header.ts';
import { forEachLine, readTextSource } from './text-source.ts';
import { zonedTimeFor } from './zoned-time.ts';

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
 * one millisecond are normal). Prices must be positive numbers.
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
    const cells = line.split(header.delimiter);
    const name = (i: number) => header!.names[i] ?? String(i + 1);
    const cell = (i: number) => (i === -1 ? '' : (cells[i] ?? '').trim());

    const date = parseDateCell(cell(col.date));
    if (date === undefined) return problems.report(lineNumber, name(col.date), `${JSON.stringify(cell(col.date))} is not a date (YYYY.MM.DD)`);
    const clock = parseClockCell(cell(col.time));
    if (clock === undefined) return problems.report(lineNumber, name(col.time), `${JSON.stringify(cell(col.time))} is not a time (HH:MM:SS.mmm)`);

    const price = (i: number, previous: number, what: string): number | undefined => {
      const text = cell(i);
      if (text.length === 0) {
        if (Number.isNaN(previous)) problems.report(lineNumber, name(i), `empty ${what} on the first tick (nothing to carry forward)`);
        return Number.isNaN(previous) ? undefined : previous;
      }
      const v = parseNumberCell(text);
      if (v === undefined) problems.report(lineNumber, name(i), notANumber(text));
      else if (v <= 0) problems.report(lineNumber, name(i), `${what} ${v} is not a positive price`);
      else return v;
      return undefined;
    };
    const newBid = price(col.bid, bid, 'BID');
    if (newBid === undefined) return;
    const newAsk = price(col.ask, ask, 'ASK');
    if (newAsk === undefined) return;
    let newLast = last;
    if (cell(col.last).length > 0) {
      const v = parseNumberCell(cell(col.last));
      if (v === undefined) return problems.report(lineNumber, name(col.last), notANumber(cell(col.last)));
      newLast = v;
    }
    let volume = 0;
    if (cell(col.volume).length > 0) {
      const v = parseNumberCell(cell(col.volume));
      if (v === undefined) return problems.report(lineNumber, name(col.volume), notANumber(cell(col.volume)));
      volume = v;
    }
    const wall = date + clock;
    const time = zone ? zone.toUtc(wall).utc : wall;
    if (time < lastTime) {
      return problems.report(lineNumber, name(col.time), `time ${new Date(time).toISOString()} is before the previous tick's ${new Date(lastTime).toISOString()}`);
    }
    bid = newBid;
    ask = newAsk;
    last = newLast;
    lastTime = time;
    ticks.push({ time, bid, ask, last, volume });
  });
  if (header === undefined) throw new DataError(file, 1, undefined, 'the file is empty (expected a header row)');
  return { ticks, skipped: problems.skipped, encoding: source.encoding };
}
