import type { Page } from 'playwright-core';
import type { LogEvent } from '../../protocol/index.ts';
import { formatTimestamp } from '../../protocol/index.ts';
import { EventFactory } from '../kit/ui-events.ts';

/**
 * A small live session fed into a page with no server (the page's own test hook folds it like
 * events off the socket): USDCHF with 4-digit prices and bars, a closed trade and an open one,
 * EURUSD marked synthetic. For keyboard and accessibility checks that need symbols on screen.
 */
export function injectedSession(options: { busy?: boolean } = {}): LogEvent[] {
  const f = new EventFactory('live-1', Date.UTC(1997, 0, 6, 0, 0, 0));
  const init = f.init(['USDCHF', 'EURUSD']);
  const data = init.data as { config: { trading_settings: Record<string, unknown> }; digits?: Record<string, number> };
  data.config.trading_settings.synthetic_symbols = ['EURUSD'];
  // Busy: a data warning as the data check words it, for the Problems panel.
  if (options.busy) data.config.trading_settings.data_warnings = ["EURUSD_H1.csv: prices have at most 2 decimals but EURUSD's spec has 5 digits: the price scale is far from the spec's (stops in points would be 1000x closer than meant); declare the instrument's own spec (bot.symbolSpecs.EURUSD in bot.json)"];
  data.digits = { USDCHF: 4, EURUSD: 5 };
  const events: LogEvent[] = [init, f.transition('USDCHF', 'idle', 'scanning'), f.transition('EURUSD', 'idle', 'scanning')];
  let price = 1.2142;
  for (let i = 0; i < 120; i++) {
    price = Math.round((price + Math.sin(i / 7) * 0.0013) * 10_000) / 10_000;
    const time = formatTimestamp(Date.UTC(1997, 0, 6, 0, 0, 0) + i * 4 * 3600_000).slice(0, 19);
    const bar = f.bar('USDCHF', time, price);
    (bar.data as { timeframe: string }).timeframe = 'H4';
    events.push(bar);
    if (i === 40) events.push(f.transition('USDCHF', 'scanning', 'in-trade', 'FILLED', 'buy filled'), f.entry('USDCHF', price, 1, time));
    if (i === 70) events.push(withData(f.exit('USDCHF', price, 25.5, 10_025.5), { timestamp: time }), f.transition('USDCHF', 'in-trade', 'scanning', 'CLOSED', 'take profit'));
    if (i === 100) events.push(f.transition('USDCHF', 'scanning', 'in-trade', 'FILLED', 'buy filled'), f.entry('USDCHF', price, 2, time));
    if (i % 10 === 0) events.push(f.decision('EURUSD', 'skip_no_signal', 1));
    // Busy: enough of USDCHF's decisions that its list scrolls in the symbol editor.
    if (options.busy && i % 3 === 0) events.push(f.decision('USDCHF', 'skip_no_signal', 1));
  }
  // Busy: EURUSD trades closed on 24 days, so "Profit per day" scrolls in its box.
  for (let day = 0; options.busy && day < 24; day++) {
    const time = formatTimestamp(Date.UTC(1997, 1, 3 + day, 10, 0, 0)).slice(0, 19);
    events.push(f.entry('EURUSD', 1.3, 1, time), withData(f.exit('EURUSD', 1.301, day % 3 ? 12.5 : -8, 10_025.5 + day), { timestamp: time }));
  }
  return events;
}

export async function injectSession(page: Page, events: readonly LogEvent[] = injectedSession()): Promise<void> {
  await page.evaluate((inputs) => (window as unknown as { __tradeloom: { inject(i: unknown[]): void } }).__tradeloom.inject(inputs), events as unknown[]);
  await page.locator('[data-symbol="USDCHF"]').waitFor();
}

function withData(event: LogEvent, patch: Record<string, unknown>): LogEvent {
  return { ...event, data: { ...(event.data as object), ...patch } } as LogEvent;
}
