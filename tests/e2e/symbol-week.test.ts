import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LogEvent } from '../../protocol/index.ts';
import { formatTimestamp } from '../../protocol/index.ts';
import { builtWorkbench, openWorkbench, pageErrors } from '../kit/browser.ts';
import { injectSession, injectedSession } from './injected-session.ts';

const workbench = builtWorkbench(test);

/** One more wire event of the injected live session, `seq` after all of its own. */
function more(seq: number, event_type: string, data: Record<string, unknown>, time: number): LogEvent {
  return { timestamp: formatTimestamp(time), session_id: 'live-1', event_type, level: event_type === 'BAR' ? 'DEBUG' : 'INFO', data, seq: 100_000 + seq } as LogEvent;
}

const H4 = 4 * 3600_000;
/** The injected session's last bar: 1997-01-25 20:00 (the week of Sunday 1997-01-19). */
const lastBar = Date.UTC(1997, 0, 6) + 119 * H4;

function decision(seq: number, kind: string, trades: number): LogEvent {
  return more(seq, 'DECISION', {
    symbol: 'USDCHF', decision: kind, reason: `weekly maximum of 10 trades reached (${trades} this week)`,
    trades_this_week: trades, max_trades: 10, aggression_multiplier: 1,
  }, lastBar);
}

test('issue 15: "max trades reached" shows only at the max; a refusal at 9/10 says the last slot was reserved by an order in flight', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page, [...injectedSession(), decision(1, 'skip_max_trades_reached', 9), decision(2, 'skip_max_trades_reached', 10)]);
  await page.locator('[data-symbol="USDCHF"] button.row').click();
  const rows = page.locator('[data-symbol-editor="USDCHF"] .decisions li');
  // Newest first: the refusal at 10/10, then the one at 9/10.
  const atMax = await rows.nth(0).innerText();
  const reserved = await rows.nth(1).innerText();
  assert.match(atMax, /max trades reached/i);
  assert.match(atMax, /\b10\/10\b/);
  assert.not.match(reserved, /max trades reached/i);
  assert.match(reserved, /reserved/i);
  assert.match(reserved, /9 \+ 1 in flight\/10/);
  assert.equal(pageErrors(page), []);
});

/** Each symbol's "this week" in the explorer and in its editor's header. */
async function weekFigures(page: import('playwright-core').Page, symbol: string) {
  await page.locator(`[data-symbol="${symbol}"] button.row`).click();
  const side = await page.locator(`.symbols [data-symbol="${symbol}"] [data-week-entries]`).innerText();
  const head = await page.locator(`[data-symbol-editor="${symbol}"] [data-week-entries]`).innerText();
  return { side: Number(side.split(' ')[0]), head: Number(head.split(' ')[0]), headText: head };
}

test('issue 15: the editor header\'s entries this week agree with the explorer\'s, also once a new week\'s bars come with no entry', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page);
  // USDCHF entered once in the week of its last bar; EURUSD never.
  assert.equal(await weekFigures(page, 'USDCHF'), { side: 1, head: 1, headText: '1 entry this week' });
  assert.equal(await weekFigures(page, 'EURUSD'), { side: 0, head: 0, headText: '0 entries this week' });
  // Bars of the next week (from Sunday 1997-01-26) and no entry: this week has none so far.
  const bars: LogEvent[] = [];
  for (let i = 1; i <= 6; i++) {
    const time = lastBar + i * H4;
    bars.push(more(10 + i, 'BAR', { symbol: 'USDCHF', timeframe: 'H4', time: formatTimestamp(time).slice(0, 19), open: 1.2, high: 1.21, low: 1.19, close: 1.2 }, time));
  }
  await injectSession(page, bars);
  assert.equal(await weekFigures(page, 'USDCHF'), { side: 0, head: 0, headText: '0 entries this week' });
  assert.equal(await weekFigures(page, 'EURUSD'), { side: 0, head: 0, headText: '0 entries this week' });
});

test.run();
