import { accountRows, testerStatRows, type BacktestCompleteData } from '../../protocol/index.ts';

export interface SummaryContext {
  readonly balance: number;
  readonly source: string;
  readonly synthetic: boolean;
  readonly bars: number;
}

const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const ratio = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(2));

/** The human-readable end-of-backtest table. */
export function formatSummary(c: BacktestCompleteData, ctx: SummaryContext): string {
  const m = c.metrics ?? {};
  const rows: [string, string][] = [
    ['Symbol / timeframe', `${c.symbol ?? ''} ${c.timeframe ?? ''}${ctx.synthetic ? ' (SYNTHETIC data)' : ''}`],
    ['Strategy', c.strategy ?? ''],
    ['Data', `${ctx.bars.toLocaleString('en-US')} bars from ${ctx.source}`],
    ['Session', c.session_id],
    ['Starting balance', money(ctx.balance)],
    ['Final balance', money(c.final_balance)],
    ['Net profit', `${money(c.total_return)} (${pct(c.total_return / ctx.balance)})`],
    ['Trades', String(c.total_trades)],
    ['Win rate', pct(m.win_rate ?? 0)],
    ['Profit factor', ratio(m.profit_factor)],
    ['Expectancy / trade', money(m.expectancy ?? 0)],
    ['Sharpe (daily, annualised)', ratio(m.sharpe)],
    ['Sortino (daily, annualised)', ratio(m.sortino)],
    ['Max drawdown', `${money(c.max_drawdown)} (${pct(m.max_drawdown_pct ?? 0)})`],
    ['Recovery factor', ratio(m.recovery_factor)],
    ['Weeks within target', `${m.weeks_within_target ?? 0} of ${m.weeks_total ?? 0}`],
  ];
  for (const row of accountRows(c)) rows.push([row.label, row.value]);
  const orders = c.orders;
  const notes: string[] = [];
  if (orders && orders.sent > 0 && orders.refused === orders.sent) {
    const reasons = Object.keys(orders.refused_by_reason).map((r) => r.replace(/^(\d+) (.*)$/, (_, code: string, text: string) => `${code} ${text.toLowerCase()}`));
    notes.push(`all ${orders.sent} orders were refused: ${reasons.join(', ')}${orders.first_refusal ? `\n  first: ${orders.first_refusal}` : ''}`);
  } else if (orders && orders.sent === 0 && c.total_trades === 0 && !c.error && !c.faults?.length) {
    // Nothing reached the broker, and nothing failed: the strategy never signalled an entry
    // (every signal gets a slot of an empty week, so a refusal at the weekly maximum cannot be why).
    notes.push(`no trades: the strategy gave no entry signal over ${ctx.bars.toLocaleString('en-US')} bars`);
  }
  for (const warning of c.warnings ?? []) notes.push(`warning: ${warning}`);
  for (const f of c.faults ?? []) notes.push(`FAILED: ${f.error} (at ${f.time}); ${f.symbol} traded no more after it, so these figures do not cover the whole run`);
  const r = c.report;
  const tester: [string, string][] = r ? testerStatRows(r.stats).map((row) => [row.label, row.value]) : [];
  const symbols = r ? Object.entries(r.per_symbol) : [];
  const perSymbol: [string, string][] = symbols.length > 1
    ? symbols.map(([s, v]) => [s, `${v.trades} trades, net ${money(v.net_profit)}, PF ${ratio(v.profit_factor)}, won ${v.win_pct === null ? 'n/a' : `${v.win_pct.toFixed(2)} %`}`])
    : [];
  const width = Math.max(...[...rows, ...tester, ...perSymbol].map(([k]) => k.length));
  const line = '-'.repeat(width + 30);
  const block = (list: [string, string][]) => list.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  return [line, ...block(rows), ...(tester.length ? [line, ...block(tester)] : []), ...(perSymbol.length ? [line, ...block(perSymbol)] : []), line, ...notes].join('\n');
}
