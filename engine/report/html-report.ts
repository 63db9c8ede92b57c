import type { BacktestCompleteData } from '../../protocol/index.ts';
import { accountRows, runProblemTexts, testerStatRows } from '../../protocol/tester-stat-rows.ts';
import { barChart, lineChart, scatterChart } from './svg-charts.ts';

export interface HtmlReportContext {
  /** Where each symbol's bars came from (file, shipped history or `synthetic:...`). */
  readonly sources?: Readonly<Record<string, string>>;
  readonly synthetic?: readonly string[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const COLORS = ['#2f6fbf', '#d9822b', '#3c9a5f', '#8e5bb5', '#c0504d', '#4bacc6'];

/**
 * The backtest report as one self-contained HTML file (`--report out.html`): the Strategy
 * Tester's table, then charts as inline SVG (balance and equity, drawdown, entries and profit by
 * hour, weekday and month, MFE and MAE against profit, each symbol's profit), each symbol's
 * table and the parameters. No script, stylesheet or font is fetched: it opens offline.
 */
export function renderHtmlReport(c: BacktestCompleteData, context: HtmlReportContext = {}): string {
  const r = c.report;
  if (!r) throw new Error('renderHtmlReport: BACKTEST_COMPLETE has no report');
  const title = `Backtest ${c.symbol ?? ''} ${c.timeframe ?? ''} ${c.strategy ?? ''}`.trim();
  // MT5's table, then the account's side as the CLI summary and the workbench show it.
  const stats = [...testerStatRows(r.stats), ...accountRows(c)].map((row) => `<tr><th>${esc(row.label)}</th><td data-key="${row.key}">${esc(row.value)}</td></tr>`).join('');
  let peak = -Infinity;
  const drawdown = r.curve.map(([t, , e]): [number, number] => {
    peak = Math.max(peak, e);
    return [t, peak > 0 ? (-100 * (peak - e)) / peak : 0];
  });
  const symbols = Object.entries(r.per_symbol);
  const symbolRows = symbols.map(([s, v]) => `<tr><th>${esc(s)}${context.synthetic?.includes(s) ? ' <em>(synthetic)</em>' : ''}</th><td>${v.trades}</td><td>${v.net_profit.toFixed(2)}</td>`
    + `<td>${v.gross_profit.toFixed(2)}</td><td>${v.gross_loss.toFixed(2)}</td><td>${v.profit_factor === null ? '—' : v.profit_factor.toFixed(2)}</td>`
    + `<td>${v.win_pct === null ? '—' : `${v.win_pct.toFixed(2)}%`}</td><td>${v.long_trades} / ${v.short_trades}</td><td>${esc(context.sources?.[s] ?? '')}</td></tr>`).join('');
  const params = Object.entries(r.params ?? c.params ?? {}).map(([s, p]) => `<tr><th>${esc(s)}</th><td><code>${esc(JSON.stringify(p))}</code></td></tr>`).join('');
  const charts = [
    lineChart('balance-equity', 'Balance and equity', [
      { name: 'Balance', color: COLORS[0], points: r.curve.map(([t, b]) => [t, b]) },
      { name: 'Equity', color: COLORS[1], points: r.curve.map(([t, , e]) => [t, e]) },
    ]),
    lineChart('drawdown', 'Equity drawdown (%)', [{ name: 'Drawdown', color: '#c0504d', points: drawdown }], { includeZero: true, fill: true }),
    barChart('entries-hour', 'Entries by hour (UTC)', HOURS, r.by_hour.entries, COLORS[0]),
    barChart('profit-hour', 'Profit by entry hour (UTC)', HOURS, r.by_hour.profit, COLORS[2]),
    barChart('entries-weekday', 'Entries by weekday', WEEKDAYS, r.by_weekday.entries, COLORS[0]),
    barChart('profit-weekday', 'Profit by entry weekday', WEEKDAYS, r.by_weekday.profit, COLORS[2]),
    barChart('entries-month', 'Entries by month', MONTHS, r.by_month.entries, COLORS[0]),
    barChart('profit-month', 'Profit by entry month', MONTHS, r.by_month.profit, COLORS[2]),
    scatterChart('mfe-profit', 'MFE against profit (per trade)', r.mfe_mae.map(([mfe, , p]) => [mfe, p]), 'MFE', COLORS[3]),
    scatterChart('mae-profit', 'MAE against profit (per trade)', r.mfe_mae.map(([, mae, p]) => [mae, p]), 'MAE', COLORS[4]),
    lineChart('per-symbol', 'Net profit by symbol', symbols.map(([s, v], i) => ({ name: s, color: COLORS[i % COLORS.length], points: v.curve })), { includeZero: true }),
    barChart('symbol-profit', 'Net profit per symbol', symbols.map(([s]) => s), symbols.map(([, v]) => v.net_profit), COLORS[5]),
  ].join('\n');
  // A run that failed part way, or a symbol whose strategy threw, then the data check's warnings: said before any figure.
  const problems = runProblemTexts(c).map((text) => `<p class="problem" role="alert">${esc(text)}</p>\n`).join('')
    + (c.warnings ?? []).map((text) => `<p class="warning"><strong>Warning:</strong> ${esc(text)}</p>\n`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;margin-bottom:8px}th,td{padding:3px 10px;border-bottom:1px solid #e3e3e3;text-align:left}
td{font-variant-numeric:tabular-nums}.stats{columns:2;column-gap:32px}.stats tr{break-inside:avoid}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}svg.chart{width:100%;height:auto;background:#fafafa;border:1px solid #e3e3e3}
svg text{font-size:10px;fill:#555}.grid{stroke:#e3e3e3}.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
.legend{font-weight:400}.meta{color:#555}em{color:#b36b00}.problem{color:#b00020;font-weight:600}.warning{border-left:3px solid #b36b00;padding-left:8px}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">Session ${esc(c.session_id)}${c.from || c.to ? ` · ${esc(c.from ?? 'start')} to ${esc(c.to ?? 'end')}` : ''} · final balance ${c.final_balance.toFixed(2)} · ${c.total_trades} trades${context.synthetic?.length ? ` · <em>synthetic data: ${esc(context.synthetic.join(', '))}</em>` : ''}</p>
${problems}<h2>Results</h2>
<div class="stats"><table>${stats}</table></div>
<h2>Charts</h2>
<div class="charts">
${charts}
</div>
<h2>Symbols</h2>
<table><tr><th>Symbol</th><th>Trades</th><th>Net profit</th><th>Gross profit</th><th>Gross loss</th><th>Profit factor</th><th>Won</th><th>Long / short</th><th>Data</th></tr>${symbolRows}</table>
<h2>Parameters</h2>
<table>${params}</table>
</body></html>
`;
}
