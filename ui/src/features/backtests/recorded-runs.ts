import { BacktestSummaryCodec, type BacktestSummary, type ClientMessage, type ServerMessage } from '../../../../protocol/index.ts';

/** A backtest the server recorded earlier, as `list_recordings` describes it (`backtest`), with its file name. */
export type RecordedRun = BacktestSummary & { readonly name: string };

/** The recorded backtests in a `list_recordings` answer, newest first; others and malformed entries are left out. */
export function recordedRuns(data: unknown): RecordedRun[] {
  const list = (data as { recordings?: unknown } | null)?.recordings;
  if (!Array.isArray(list)) return [];
  const out: RecordedRun[] = [];
  for (const item of list) {
    const r = item as { name?: unknown; backtest?: unknown } | null;
    if (typeof r?.name === 'string' && BacktestSummaryCodec.is(r.backtest)) out.push({ ...r.backtest, name: r.name });
  }
  return out;
}

/** Asks the server for its recorded backtests; an empty list when offline or it keeps none. */
export async function fetchRecordedRuns(session: { request(message: ClientMessage): Promise<ServerMessage> }): Promise<RecordedRun[]> {
  try {
    const reply = await session.request({ type: 'list_recordings' });
    return reply.type === 'command_result' && reply.ok ? recordedRuns(reply.data) : [];
  } catch {
    return [];
  }
}
