import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, stockHourlyExport } from '../kit/data-builders.ts';
import { waitFor } from '../kit/browser.ts';
import { ProtocolClient, withEngine } from './engine-session.ts';

// The data check's warnings reach the workbench, not only the CLI: a bot trading a stock's
// 150.00 prices under EURUSD's 5-digit spec shows the warning in the Problems panel (counted in
// its badge), and a backtest of that symbol shows it at the top of its report.

const dir = makeTempDir('tradeloom-e2e-data-warnings-');
writeFileSync(join(dir.path, 'STOCK_H1.csv'), stockHourlyExport());
const config = join(dir.path, 'bot.json');
writeFileSync(config, JSON.stringify({
  bot: { strategy: 'sma-crossover', params: { fast: 5, slow: 12 }, timeframe: 'H1', speed: 1_000, warmupBars: 30, autoStart: true, symbols: [{ symbol: 'EURUSD', file: 'STOCK_H1.csv' }] },
}));
const WARNING = /STOCK_H1\.csv: prices have at most 2 decimals but EURUSD's spec has 5 digits/;

test('the bot\'s data warning is in the Problems panel and its badge; a backtest\'s is at the top of its report', async () => {
  await withEngine({ extraArgs: ['--config', config] }, async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      const problemsTab = page.locator('[data-panel="problems"]');
      await problemsTab.click();
      const row = page.locator('[data-view="problems"] [data-data-warning]');
      await row.waitFor({ timeout: 60_000 });
      assert.is(await row.count(), 1);
      assert.match(await row.innerText(), WARNING);
      // The badge counts it with the errors the bot reports as it trades these prices.
      const badge = async () => Number((await problemsTab.locator('.badge').innerText()).trim());
      const errors = async () => page.locator('[data-view="problems"] .problem').count();
      await waitFor('the badge to count the errors and the warning', async () => (await badge()) === (await errors()) + 1, 30_000);
      assert.is(await page.locator('[data-view="problems"] .empty-note').count(), 0, 'not "No problems have been detected"');

      const reply = await reference.request({ type: 'run_backtest', symbol: 'EURUSD', timeframe: 'H1' });
      assert.is(reply.ok, true, reply.reason);
      const sessionId = reply.data.session_id as string;
      await page.locator(`[data-view="backtests"] [data-backtest="${sessionId}"]`).click({ timeout: 60_000 });
      const report = page.locator(`[data-backtest-report="${sessionId}"][data-complete="true"]`);
      await report.waitFor({ timeout: 60_000 });
      const shown = report.locator('[data-run-warning]');
      assert.is(await shown.count(), 1);
      assert.match(await shown.innerText(), /^Warning: .*STOCK_H1\.csv: prices have at most 2 decimals but EURUSD's spec has 5 digits.*bot\.symbolSpecs\.EURUSD in the bot's config/);
    } finally {
      reference.close();
    }
  });
});

test.after(() => dir.remove());
test.run();
