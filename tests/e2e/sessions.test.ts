import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pageConnection, pageState, runFromPalette, waitFor } from '../kit/browser.ts';
import { ProtocolClient, sharedEngine } from './engine-session.ts';

const BACKTEST_FROM = Date.UTC(1999, 0, 1) / 1000;

// One server for both tests: the second reads the live trades' digits, whatever ran before it.
const engine = sharedEngine(test);

test('a backtest run from the UI leaves the live symbol\'s numbers and markers alone, also after a reload', async () => {
  await engine.withPage(async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      await waitFor('a live USDCHF exit on the page', async () => pageState(page, (s) => (s.symbols.USDCHF?.closedTrades ?? 0) > 0), 120_000);
      await page.locator('[data-symbol="USDCHF"] button.row').click();
      const before = await pageState(page, (s) => ({ seq: s.lastSeq, closed: s.symbols.USDCHF.closedTrades, pnl: s.symbols.USDCHF.pnl, markers: s.symbols.USDCHF.markers.length, session: s.sessionId }));
      await runFromPalette(page, 'Run Backtest');
      const form = page.locator('form[data-editor-type="backtest-form"]');
      await form.waitFor();
      await form.locator('select[name="strategy"]').waitFor({ timeout: 60_000 });
      await form.locator('select[name="symbol"]').selectOption('USDCHF');
      await form.locator('select[name="timeframe"]').selectOption('H4');
      await form.locator('input[name="from"]').fill('1999-01-01');
      await form.locator('input[name="to"]').fill('1999-12-31');
      await form.getByRole('button', { name: 'Run backtest' }).click();
      await form.getByText('Server: accepted').waitFor({ timeout: 30_000 });
      const complete = await waitFor('BACKTEST_COMPLETE on the wire', async () => reference.received.find((m) => m.event_type === 'BACKTEST_COMPLETE'), 120_000);
      assert.ok((complete.data.total_trades as number) > 0, 'the backtest traded');
      const backtestId = complete.data.session_id as string;
      await waitFor('the report complete on the page', async () => pageState(page, (s) => Object.values(s.backtests).some((r) => r.complete !== null)), 60_000);
      const after = await pageState(page, (s) => ({
        seq: s.lastSeq, closed: s.symbols.USDCHF.closedTrades, pnl: s.symbols.USDCHF.pnl,
        markers: s.symbols.USDCHF.markers.map((m) => m.time), log: s.log.map((e) => e.event.session_id),
      }));
      // What the live session itself did meanwhile (the bot keeps trading): only that may change the view.
      const liveExits = reference.received.filter((m) => m.event_type === 'TRADE_EXIT' && m.session_id === before.session && m.data.symbol === 'USDCHF' && m.seq > before.seq && m.seq <= after.seq);
      assert.is(after.closed, before.closed + liveExits.length);
      const livePnl = liveExits.reduce((sum, m) => sum + (m.data.pnl as number), 0);
      assert.ok(Math.abs(after.pnl - (before.pnl + livePnl)) < 1e-6, `pnl ${after.pnl} vs ${before.pnl + livePnl}`);
      assert.ok(after.markers.every((t) => t < BACKTEST_FROM), 'no backtest marker on the live chart');
      assert.ok(after.log.every((s) => s === before.session), 'no backtest event in the live log');
      // The header reads the live numbers. The bot keeps trading, so the live count is read
      // together with the header (again if an exit lands between the two reads).
      await page.locator('[data-symbol="USDCHF"] button.row').click();
      let header = '';
      let liveClosed = -1;
      const shown = await waitFor('the header to show the live closed count', async () => {
        liveClosed = await pageState(page, (s) => s.symbols.USDCHF.closedTrades);
        header = await page.locator('[data-symbol-editor="USDCHF"] header').innerText();
        return new RegExp(`(^|\\D)${liveClosed} closed`).test(header);
      }, 15_000).catch(() => false);
      assert.ok(shown, `header "${header}" does not show the live ${liveClosed} closed`);
      assert.ok(liveClosed >= after.closed, `live count ${liveClosed} went below ${after.closed}`);

      // A fresh page: the server replays its last events, the backtest's among them.
      await page.reload();
      await page.waitForFunction('window.__tradeloom !== undefined');
      await waitFor('the page to connect', async () => (await pageConnection(page)).phase === 'open');
      await waitFor('the backtest listed again', async () => pageState(page, (s) => Object.keys(s.backtests)), 60_000);
      const reloaded = await pageState(page, (s) => ({ markers: s.symbols.USDCHF?.markers.map((m) => m.time) ?? [], log: s.log.map((e) => e.event.session_id), session: s.sessionId }));
      assert.is(reloaded.session, before.session);
      assert.ok(reloaded.markers.every((t) => t < BACKTEST_FROM), 'no backtest marker after a reload');
      assert.ok(!reloaded.log.includes(backtestId), 'no backtest event in the reloaded live log');
    } finally {
      reference.close();
    }
  });
});

test('prices show the symbol\'s digits: the server\'s spec digits, the chart tooltip, the trades table and the log', async () => {
  await engine.withPage(async ({ page }) => {
    await waitFor('digits from the server', async () => pageState(page, (s) => s.symbols.USDCHF?.digits === 5 && s.symbols.EURUSD?.digits === 5), 60_000);
    await waitFor('a USDCHF exit', async () => pageState(page, (s) => s.trades.some((t) => t.symbol === 'USDCHF')), 120_000);
    await page.locator('[data-symbol="USDCHF"] button.row').click();
    const chart = page.locator('[data-symbol-editor="USDCHF"] [data-chart="candles"]');
    await chart.waitFor();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const ohlc = await page.locator('[data-chart-tooltip] [data-ohlc]').innerText();
    assert.match(ohlc, /^O \d+\.\d{5} H \d+\.\d{5} L \d+\.\d{5} C \d+\.\d{5}$/);
    await runFromPalette(page, 'Open Trades');
    const row = page.locator('[data-table="closed-trades"] tbody tr', { hasText: 'USDCHF' }).first();
    const cells = await row.locator('td').allInnerTexts();
    assert.match(cells[8], /^\d+\.\d{5}$/, `exit price ${cells[8]}`);
    await page.locator('[data-view="log"]').getByRole('searchbox').fill('USDCHF exit');
    const logged = await page.locator('[data-view="log"] .row .summary').first().innerText();
    assert.match(logged, /exit @ \d+\.\d{5} /);
  });
});

test.run();
