import type { LogEvent, WeeklySummaryData } from '../../../protocol/index.ts';
import { EQUITY_CAP, appendCapped, type BacktestReport, type WorkbenchState } from './state.ts';
import { toUnixSeconds } from './time.ts';

type Backtests = Pick<WorkbenchState, 'backtests' | 'backtestOrder'>;

/**
 * Which backtest an event belongs to: the one whose session id the envelope carries, else the
 * most recent one still running (a WEEKLY_SUMMARY has no session id of its own).
 */
export function backtestFor(state: Backtests, event: LogEvent): BacktestReport | undefined {
  const own = state.backtests[event.session_id];
  if (own) return own;
  for (let i = state.backtestOrder.length - 1; i >= 0; i--) {
    const report = state.backtests[state.backtestOrder[i]];
    if (report && report.complete === null) return report;
  }
  return undefined;
}

/** Folds backtest events into the report they belong to. Returns the same object when untouched. */
export function reduceBacktests(state: Backtests, event: LogEvent): Backtests {
  switch (event.event_type) {
    case 'BACKTEST_START': {
      const d = event.data;
      const report: BacktestReport = {
        sessionId: d.session_id, start: d, weeks: [], complete: null,
        equity: [], trades: 0, wins: 0, balance: d.starting_balance, refusals: {},
      };
      const order = state.backtestOrder.includes(d.session_id) ? state.backtestOrder : [...state.backtestOrder, d.session_id];
      return { backtests: { ...state.backtests, [d.session_id]: report }, backtestOrder: order };
    }
    case 'WEEKLY_SUMMARY': {
      const report = backtestFor(state, event);
      if (!report) return state;
      return put(state, { ...report, weeks: [...report.weeks, withPnl(report, event.data)] });
    }
    case 'TRADE_EXIT': {
      const report = state.backtests[event.session_id];
      if (!report || report.complete) return state;
      const d = event.data;
      const time = toUnixSeconds(d.timestamp);
      return put(state, {
        ...report,
        trades: report.trades + 1,
        wins: report.wins + (d.pnl > 0 ? 1 : 0),
        balance: d.balance_after,
        equity: Number.isFinite(time) ? appendCapped(report.equity, { time, balance: d.balance_after }, EQUITY_CAP) : report.equity,
      });
    }
    case 'DECISION': {
      const report = state.backtests[event.session_id];
      const d = event.data;
      if (!report || report.complete || !(d.decision === 'order_rejected' || d.decision.startsWith('skip_'))) return state;
      // "order rejected by sim: 10016 Invalid stops" -> "10016 Invalid stops".
      const why = d.decision === 'order_rejected' ? d.reason.replace(/^order rejected by [^:]*: /, '') : d.decision.replace(/^skip_/, '').replaceAll('_', ' ');
      return put(state, { ...report, refusals: { ...report.refusals, [why]: (report.refusals[why] ?? 0) + 1 } });
    }
    case 'BACKTEST_COMPLETE': {
      const d = event.data;
      const report = state.backtests[d.session_id] ?? backtestFor(state, event);
      if (!report) return state;
      return put(state, { ...report, complete: d });
    }
    default:
      return state;
  }
}

/**
 * The week's realised profit, when the engine does not send it: the change of the booked balance
 * since the previous week (or the start), so the table's PnL and Balance columns add up.
 */
function withPnl(report: BacktestReport, week: WeeklySummaryData): WeeklySummaryData {
  if (week.pnl !== undefined) return week;
  const before = report.weeks.length ? report.weeks[report.weeks.length - 1].balance : report.start.starting_balance;
  return { ...week, pnl: Math.round((week.balance - before) * 100) / 100 };
}

function put(state: Backtests, report: BacktestReport): Backtests {
  return { backtests: { ...state.backtests, [report.sessionId]: report }, backtestOrder: state.backtestOrder };
}
