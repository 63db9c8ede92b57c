// Saves screenshots of the main views to ui/screenshots/ at 1920x1080 (NAME.png) and 1366x768
// (NAME-1366.png); not a test, run by hand:
//   node --import tsx tests/e2e/screenshots.ts [recording.jsonl]
// Live views come from the real server; the backtest report from a replayed fixture recording.
// The report's charts and the Compare editor: tests/e2e/screenshots-backtests.ts.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, pageConnection, pageState, removeDir, runFromPalette, startEngineServer, waitFor } from '../kit/browser.ts';

const root = new URL('../..', import.meta.url).pathname;
const out = join(root, 'ui/screenshots');
const settle = (ms = 800) => new Promise((r) => setTimeout(r, ms));

let suffix = '';
async function shot(page: Page, name: string) {
  await settle();
  await page.screenshot({ path: join(out, `${name}${suffix}.png`) });
  console.log(`saved ui/screenshots/${name}${suffix}.png`);
}

export const SIZES = [{ width: 1920, height: 1080, suffix: '' }, { width: 1366, height: 768, suffix: '-1366' }] as const;

export async function main(recording: string | undefined = process.argv[2], size: (typeof SIZES)[number] = SIZES[0]): Promise<void> {
  suffix = size.suffix;
  const fixtures = join(root, 'fixtures/recordings');
  recording ??= existsSync(fixtures) ? readdirSync(fixtures).filter((n) => n.endsWith('.jsonl')).map((n) => join(fixtures, n))[0] : undefined;
  const browser = await launchBrowser();
  const server = await startEngineServer({ speed: Number(process.env.SCREENSHOT_SPEED ?? 20) });
  try {
    const page = await openWorkbench(browser, server.url, { width: size.width, height: size.height });
    await waitFor('connected', async () => (await pageConnection(page)).phase === 'open');
    await waitFor('a trade', async () => (await pageState(page, (s) => s.stats.wins + s.stats.losses)) >= 2, 180_000);
    const symbol = await pageState(page, (s) => {
      const withTrades = s.symbolOrder.filter((x) => s.symbols[x].candles.length > 0).sort((a, b) => s.symbols[b].markers.length - s.symbols[a].markers.length);
      return withTrades[0] ?? s.symbolOrder[0];
    });
    await page.locator(`.symbols [data-symbol="${symbol}"] .row`).click();
    await shot(page, 'live-symbol-editor');
    await runFromPalette(page, 'Open Performance Dashboard');
    await shot(page, 'performance-dashboard');
    await runFromPalette(page, 'Open Weekly Trades Dashboard');
    await shot(page, 'weekly-trades-dashboard');
    await runFromPalette(page, 'Open Trades');
    await shot(page, 'trades');
    await runFromPalette(page, 'Show State Machines');
    await shot(page, 'state-machines');
    await page.keyboard.press('Control+Shift+P');
    await page.locator('.quickpick input').fill('bot');
    await shot(page, 'command-palette');
    await page.keyboard.press('Escape');
    await page.locator(`.tabs [data-editor="symbol:${symbol}"] .label`).click();
    await runFromPalette(page, 'Toggle Light / Dark Theme');
    await shot(page, 'light-theme');
    await runFromPalette(page, 'Toggle Light / Dark Theme');
    if (recording) {
      const chooser = page.waitForEvent('filechooser');
      await page.getByText('Open local JSONL file…').click();
      await (await chooser).setFiles(recording);
      await waitFor('replay end', async () => (await page.getAttribute('[data-replay]', 'data-ended')) === 'true', 120_000);
      await page.locator('[data-view="backtests"] [data-backtest]').first().click();
      await shot(page, 'backtest-report-replay');
      await page.locator('[data-panel="problems"]').click();
      await page.locator('.problem .head').first().click().catch(() => undefined);
      await page.locator('.symbols [data-symbol] .row').first().click();
      await shot(page, 'replay-symbol-problems');
    }
    await server.stop('SIGKILL');
    await page.locator('[data-status="connection"][data-phase="offline"]').waitFor();
    await page.locator('[data-panel="log"]').click();
    await shot(page, 'offline-reconnecting');
  } finally {
    await browser.close();
    await server.stop();
    removeDir(server.dataDir);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  (async () => {
    for (const size of SIZES) await main(process.argv[2], size);
  })().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
