import type { ClientMessage, ServerMessage } from '../../../../protocol/index.ts';

/** A backtest the server recorded earlier, as `list_recordings` describes it (`backtest`). */
export interface RecordedRun {
  readonly name: string;
  readonly session_id: string;
  readonly symbol: string;
  readonly timeframe?: string;
  readonly strategy?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly from?: string;
  readonly to?: string;
  readonly complete: boolean;
  readonly final_balance?: number;
  readonly total_trades?: number;
  readonly total_return?: number;
}

/** The recorded backtests in a `list_recordings` answer, newest first; others and malformed entries are left out. */
export function recordedRuns(data: unknown): RecordedRun[] {
  const list = (data as { recordings?: unknown } | null)?.recordings;
  if (!Array.isArray(list)) return [];
  const out: RecordedRun[] = [];
  for (const item of list) {
    const r = item as { name?: unknown; backtest?: Record<string, unknown> } | null;
    const b = r?.backtest;
    if (typeof r?.name !== 'string' || !b || typeof b.session_id !== 'string' || typeof b.symbol !== 'string') continue;
    out.push({ ...(b as unknown as Omit<RecordedRun, 'name'>), name: r.name, complete: b.complete === true });
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
