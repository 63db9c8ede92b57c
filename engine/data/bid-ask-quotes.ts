import type { Tick } from '../model/tick.ts';
import { parseCompactCell } from './calendar-cells.ts';
import { DataError, notANumber, parseNumberCell, RowProblems, type ImportOptions, type SkippedRow } from './data-error.ts';
import { cellAt, columnName, parseHeader, requireColumn } from './delimited-header.ts';
import { forEachLine, readTextSource } from './text-source.ts';
import { zonedTimeFor } from './zoned-time.ts';

/** One contributed quote; a `Tick` plus where it came from. */
export interface BidAskQuote extends Tick {
  /** 1-based line in the source file. */
  readonly line: number;
  readonly contributor: string;
}

export interface QuoteOutlier {
  /** Index into the sorted `quotes`. */
  readonly index: number;
  readonly line: number;
  readonly reason: string;
}

export interface BidAskQuotesOptions extends ImportOptions {
  /** IANA zone of `XDATE`; default UTC (the data set does not state one). */
  readonly timezone?: string;
  readonly fileName?: string;
  /** Flag a quote whose mid is more than this many sigmas (RMS deviation) from its neighbours' median. Default 5. */
  readonly outlierSigmas?: number;
  /** Neighbours on each side for that median. Default 5. */
  readonly outlierWindow?: number;
}

export interface BidAskQuotesResult {
  /** Every valid row, stably sorted by time; outliers are kept (and listed in `outliers`). */
  readonly quotes: readonly BidAskQuote[];
  /** Rows whose time was earlier than a row above them, i.e. those the sort moved. */
  readonly outOfOrder: readonly { readonly line: number; readonly time: number; readonly previousTime: number }[];
  readonly outliers: readonly QuoteOutlier[];
  readonly skipped: readonly SkippedRow[];
}

/**
 * Imports contributed interbank quotes such as `fixtures/usdthb_quotes.csv`
 * (`XDATE,DELAY,CONTRIBUTOR,BID,ASK,FLAG`, `XDATE` = YYYYMMDDhhmm). Such feeds interleave
 * contributors with reporting delays, so rows arrive out of time order and some quotes are
 * wrong. Nothing is dropped: rows are sorted stably by time and the moved ones reported in
 * `outOfOrder`; crossed or empty quotes (ask < bid, a zero side) and price spikes (mid more than
 * `outlierSigmas` sigmas from the median of the `outlierWindow` quotes either side) are
 * kept and listed in `outliers` for the caller to exclude. Malformed cells are `DataError`s.
 *
 * @example
 * const { quotes, outliers } = importBidAskQuotes('fixtures/usdthb_quotes.csv');
 * const bad = new Set(outliers.map((o) => o.index));
 * const clean = quotes.filter((_, i) => !bad.has(i));
 */
export function importBidAskQuotes(input: Buffer | string, options: BidAskQuotesOptions = {}): BidAskQuotesResult {
  const source = readTextSource(input, options.fileName);
  const file = source.name;
  const problems = new RowProblems(file, options.skipInvalid === true);
  const zone = zonedTimeFor(options.timezone);
  const rows: BidAskQuote[] = [];
  const outOfOrder: { line: number; time: number; previousTime: number }[] = [];
  let header: ReturnType<typeof parseHeader> | undefined;
  let col = { time: -1, contributor: -1, bid: -1, ask: -1 };
  let maxTime = -Infinity;

  forEachLine(source.text, (line, lineNumber) => {
    if (header === undefined) {
      header = parseHeader(line);
      col = {
        time: requireColumn(file, header, 'XDATE'), contributor: header.indexOf('CONTRIBUTOR'),
        bid: requireColumn(file, header, 'BID'), ask: requireColumn(file, header, 'ASK'),
      };
      return;
    }
    if (line.trim().length === 0) return;
    const cells = line.split(header.delimiter);
    const wall = parseCompactCell(cellAt(cells, col.time));
    if (wall === undefined) return problems.report(lineNumber, columnName(header, col.time), `${JSON.stringify(cellAt(cells, col.time))} is not a time (YYYYMMDDhhmm)`);
    const bid = parseNumberCell(cellAt(cells, col.bid));
    if (bid === undefined) return problems.report(lineNumber, columnName(header, col.bid), notANumber(cellAt(cells, col.bid)));
    const ask = parseNumberCell(cellAt(cells, col.ask));
    if (ask === undefined) return problems.report(lineNumber, columnName(header, col.ask), notANumber(cellAt(cells, col.ask)));
    const time = zone ? zone.toUtc(wall).utc : wall;
    if (time < maxTime) outOfOrder.push({ line: lineNumber, time, previousTime: maxTime });
    maxTime = Math.max(maxTime, time);
    rows.push({ time, bid, ask, last: 0, volume: 0, line: lineNumber, contributor: cellAt(cells, col.contributor) });
  });
  if (header === undefined) throw new DataError(file, 1, undefined, 'the file is empty (expected a header row)');

  const quotes = rows.slice().sort((a, b) => a.time - b.time); // Array.prototype.sort is stable
  const outliers = findOutliers(quotes, options.outlierSigmas ?? 5, options.outlierWindow ?? 5);
  return { quotes, outOfOrder, outliers, skipped: problems.skipped };
}

function findOutliers(quotes: readonly BidAskQuote[], sigmas: number, window: number): QuoteOutlier[] {
  const flagged = new Map<number, string>();
  quotes.forEach((q, i) => {
    if (q.bid <= 0 || q.ask <= 0) flagged.set(i, `non-positive ${q.bid <= 0 ? 'bid' : 'ask'} (bid ${q.bid}, ask ${q.ask})`);
    else if (q.ask < q.bid) flagged.set(i, `ask ${q.ask} below bid ${q.bid}`);
  });
  // Deviation of each valid quote's log mid from the median of its valid neighbours.
  const valid = quotes.map((_, i) => i).filter((i) => !flagged.has(i));
  const logMid = valid.map((i) => Math.log((quotes[i].bid + quotes[i].ask) / 2));
  const deviation = logMid.map((m, k) => {
    const around: number[] = [];
    for (let j = Math.max(0, k - window); j <= Math.min(logMid.length - 1, k + window); j++) if (j !== k) around.push(logMid[j]);
    return around.length === 0 ? 0 : m - median(around);
  });
  // Plain RMS, not a robust MAD: in a two-tier market (USDTHB in June 1997 was quoted near 23
  // offshore and 25.8 onshore) most quotes sit on one tier, the MAD is tiny and hundreds of
  // honest quotes would be flagged; the RMS lets only quotes far off every tier stand out.
  const sigma = Math.sqrt(deviation.reduce((sum, d) => sum + d * d, 0) / Math.max(1, deviation.length));
  if (sigma > 0) {
    deviation.forEach((d, k) => {
      if (Math.abs(d) > sigmas * sigma) {
        const i = valid[k];
        flagged.set(i, `mid ${((quotes[i].bid + quotes[i].ask) / 2).toFixed(4)} is ${(Math.abs(d) / sigma).toFixed(1)} sigma from its neighbours' median`);
      }
    });
  }
  return [...flagged.entries()].sort((a, b) => a[0] - b[0]).map(([index, reason]) => ({ index, line: quotes[index].line, reason }));
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = values.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
