import { retcodeText } from '../model/mt5.ts';
import type { TrialMetrics } from '../strategy/strategy.ts';
import type { TrialRecord } from './optimizer.ts';

/**
 * Why a trial made no trades, for its row: `no trades` alone when the strategy sent no order,
 * or with the refusals and the reason most of them gave (`no trades: 334 of 334 orders refused,
 * 10019 there is not enough money to complete the request`). Null for a trial that traded.
 *
 * @example
 * noTradesNote(record.metrics) ?? '';
 */
export function noTradesNote(m: TrialMetrics): string | null {
  if (m.trades > 0) return null;
  const refused = m.ordersRefused ?? 0;
  if (refused === 0) return 'no trades';
  const reason = m.mainRefusal ? `, ${m.mainRefusal} ${retcodeText(m.mainRefusal).toLowerCase()}` : '';
  return `no trades: ${refused} of ${m.ordersSent ?? refused} orders refused${reason}`;
}

/**
 * A plain sentence when no trial traded at all (the search found nothing to rank), naming the
 * refusal most trials met; null when at least one trial traded.
 *
 * @example
 * const line = allFlatNote(ranked); if (line) console.log(line);
 */
export function allFlatNote(ranked: readonly TrialRecord[]): string | null {
  if (ranked.length === 0 || ranked.some((r) => r.metrics.trades > 0)) return null;
  const byCode = new Map<number, number>();
  for (const r of ranked) if (r.metrics.mainRefusal) byCode.set(r.metrics.mainRefusal, (byCode.get(r.metrics.mainRefusal) ?? 0) + 1);
  const [code, n] = [...byCode].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [];
  const all = ranked.length === 1 ? 'the only trial' : `none of the ${ranked.length.toLocaleString('en-US')} trials`;
  const why = code
    ? `; in ${n === ranked.length ? 'every one' : `${n.toLocaleString('en-US')} of them`} the broker refused the orders, mostly ${code} ${retcodeText(code).toLowerCase()} (try npm run backtest with one of them for the details)`
    : '; the strategy sent no order (check the parameters, the dates and the data)';
  return `${all === 'the only trial' ? 'the only trial made no trade' : `${all} made a trade`}: there is nothing to rank${why}`;
}
