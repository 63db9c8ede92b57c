import { readSync } from 'node:fs';
import { decodeLogEvent, type BacktestCompleteData, type BacktestStartData, type BacktestSummary } from '../../protocol/index.ts';
import { readRecordingFile, withoutBom, type RecordingInfo } from './recordings.ts';

/** A recorded backtest's two ends: what it ran (BACKTEST_START) and, when it finished, its results. */
export interface BacktestEnds {
  readonly start: BacktestStartData;
  readonly complete: BacktestCompleteData | null;
}


// BACKTEST_START is the first line; BACKTEST_COMPLETE (with its report: curve, per-trade MFE/MAE)
// the last, at most a few hundred KB. Reads past these are refused rather than done.
const HEAD_BYTES = 256 * 1024;
const TAIL_BYTES = 4 * 1024 * 1024;
// Summaries by name, size and mtime: a listing re-reads only files that changed.
const summaries = new Map<string, { key: string; summary: BacktestSummary | null }>();
const MAX_CACHED = 2_000;

/**
 * The first and last event of a backtest recording, read from the file's head and tail only
 * (never the whole file). Null for a bad name, a file that cannot be opened as a regular file
 * (symlinks are not followed), or one that does not start with BACKTEST_START; `complete` is
 * null when the run did not finish (or its last line is torn).
 */
export function readBacktestEnds(dir: string, name: string): BacktestEnds | null {
  return readRecordingFile(dir, name, (fd, size) => {
    if (size === 0) return null;
    const head = withoutBom(readAt(fd, 0, Math.min(size, HEAD_BYTES)));
    const firstEnd = head.indexOf('\n');
    const start = eventOf(firstEnd < 0 ? head : head.slice(0, firstEnd));
    if (start?.event_type !== 'BACKTEST_START') return null;
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const tail = readAt(fd, tailStart, size - tailStart).replace(/\n+$/, '');
    const lastStart = tail.lastIndexOf('\n');
    const last = lastStart < 0 && tailStart > 0 ? null : eventOf(withoutBom(tail.slice(lastStart + 1)));
    const complete = last?.event_type === 'BACKTEST_COMPLETE' && last.data.session_id === start.data.session_id ? last.data : null;
    return { start: start.data, complete };
  });
}

function readAt(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.toString('utf8', 0, done);
}

function eventOf(line: string) {
  try {
    const decoded = decodeLogEvent(JSON.parse(line));
    return decoded.ok ? decoded.value : null;
  } catch {
    return null;
  }
}

export function summarise(ends: BacktestEnds): BacktestSummary {
  const { start: s, complete: c } = ends;
  return {
    session_id: s.session_id, symbol: s.symbol, data_points: s.data_points, starting_balance: s.starting_balance,
    ...(s.timeframe !== undefined ? { timeframe: s.timeframe } : {}), ...(s.strategy !== undefined ? { strategy: s.strategy } : {}),
    ...(s.params !== undefined ? { params: s.params } : {}), ...(s.from !== undefined ? { from: s.from } : {}), ...(s.to !== undefined ? { to: s.to } : {}),
    complete: c !== null, ...(s.model === 'ticks' ? { model: 'ticks' as const } : {}),
    ...(c ? { final_balance: c.final_balance, total_trades: c.total_trades, total_return: c.total_return } : {}),
    // A run that failed part way, or a symbol whose strategy threw, is never listed as a whole run.
    ...(c?.error !== undefined ? { error: c.error } : {}), ...(c?.faults?.length ? { faults: c.faults } : {}),
  };
}

/** The listing with each backtest recording's summary added (`backtest`), read once per file version. */
export function withBacktestSummaries(dir: string, recordings: readonly RecordingInfo[]): Array<RecordingInfo & { backtest?: BacktestSummary }> {
  return recordings.map((r) => {
    if (r.kind !== 'backtest') return r;
    const key = `${r.size}:${r.modified}`;
    const id = `${dir}\0${r.name}`;
    let cached = summaries.get(id);
    if (cached?.key !== key) {
      const ends = readBacktestEnds(dir, r.name);
      cached = { key, summary: ends ? summarise(ends) : null };
      if (summaries.size >= MAX_CACHED) summaries.delete(summaries.keys().next().value!);
      summaries.set(id, cached);
    }
    return cached.summary ? { ...r, backtest: cached.summary } : r;
  });
}
