import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { builtWorkbench, openWorkbench, pageErrors, waitFor } from '../kit/browser.ts';

const root = new URL('../..', import.meta.url).pathname;
const recordings = join(root, 'fixtures/recordings');
/** The smallest backtest the real engine recorded (its WEEKLY_SUMMARY events carry no `pnl`). */
const backtest = readdirSync(recordings).filter((n) => n.includes('_backtest_')).map((n) => join(recordings, n))
  .sort((a, b) => readFileSync(a).length - readFileSync(b).length)[0];
const events = readFileSync(backtest, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const start = events.find((e) => e.event_type === 'BACKTEST_START').data;
const weeks = events.filter((e) => e.event_type === 'WEEKLY_SUMMARY').map((e) => e.data);

const workbench = builtWorkbench(test);

async function openReport(page: Page): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByText('Open local JSONL file…').click();
  await (await chooser).setFiles(backtest);
  await page.locator('.replay-bar select').selectOption('Infinity');
  await waitFor('the replay to reach its end', async () => (await page.getAttribute('[data-replay]', 'data-ended')) === 'true', 120_000);
  await page.locator('[data-view="backtests"] [data-backtest]').first().click();
  await page.locator('[data-backtest-report][data-complete="true"]').waitFor();
}

test('issue 15: the weekly table\'s PnL column shows each week\'s realised profit to the cent, adding up to the balance', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 1920, height: 1080 });
  await openReport(page);
  const rows = await page.locator('[data-backtest-report] table.weeks tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  assert.is(rows.length, weeks.length);
  let before = start.starting_balance as number;
  for (const [i, cells] of rows.entries()) {
    const pnl = cells[5];
    assert.match(pnl, /^-?\d+\.\d\d$/, `week ${cells[0]}'s PnL "${pnl}"`);
    // The week's PnL is what its balance moved by, in the deposit currency.
    assert.is(Number(pnl), Math.round((weeks[i].balance - before) * 100) / 100, `week ${cells[0]}`);
    before = weeks[i].balance;
  }
  assert.ok(rows.some((cells) => Number(cells[5]) !== 0), 'some week made or lost money');
  assert.equal(pageErrors(page), []);
});

test('issue 15: the report names one weeks-in-band figure, the weeks whose trade count was inside the min..max band', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 1920, height: 1080 });
  await openReport(page);
  const metrics = await page.locator('[data-backtest-report] .kpi').evaluateAll((kpis) => kpis.map((k) => ({
    label: k.querySelector('.label')?.textContent ?? '', value: k.querySelector('.value')?.textContent ?? '',
  })));
  const weekly = metrics.filter((m) => /week/i.test(m.label));
  assert.is(weekly.length, 1, `one weekly figure, got ${JSON.stringify(weekly)}`);
  const { min_trades_per_week: min, max_trades_per_week: max } = start.trade_constraints;
  assert.is(weekly[0].label, `Weeks with ${min}–${max} trades`);
  const inBand = weeks.filter((w) => w.trades >= min && w.trades <= max).length;
  assert.is(weekly[0].value, `${inBand} / ${weeks.length}`);
});

/**
 * Each of the report's two canvas charts (balance, trades per week): its drawn width against the
 * width of the box it sits in. (The Strategy Tester charts below them are SVG figures, `.plot`
 * too, sized by their viewBox: backtest-report-charts.test.ts covers them.)
 */
function chartWidths(page: Page) {
  return page.locator('[data-backtest-report] .charts .plot').evaluateAll((plots) => plots.map((p) => ({
    box: Math.round(p.getBoundingClientRect().width),
    drawn: Math.round(p.querySelector('.tv-lightweight-charts')?.getBoundingClientRect().width ?? -1),
    card: Math.round(p.parentElement!.getBoundingClientRect().width),
    grid: Math.round(p.closest('.charts')!.getBoundingClientRect().right),
    right: Math.round(p.parentElement!.getBoundingClientRect().right),
  })));
}

async function chartsFit(page: Page, what: string) {
  return waitFor(what, async () => {
    const charts = await chartWidths(page);
    const ok = charts.length === 2 && charts.every((c) => Math.abs(c.drawn - c.box) <= 1 && c.box <= c.card && c.right <= c.grid + 1);
    return ok ? charts : null;
  });
}

test('issue 15: the report\'s charts follow their boxes when the window goes from 1920 to 800 px and back', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 1920, height: 1080 });
  await openReport(page);
  const wide = await chartsFit(page, 'the charts to fill their boxes at 1920 px');
  await page.setViewportSize({ width: 800, height: 1080 });
  const narrow = await chartsFit(page, 'the charts to shrink into their boxes at 800 px');
  assert.ok(narrow[0].drawn < wide[0].drawn / 2, `at 800 px ${narrow[0].drawn} px wide, at 1920 px ${wide[0].drawn} px`);
  await page.setViewportSize({ width: 1920, height: 1080 });
  const again = await chartsFit(page, 'the charts to grow back at 1920 px');
  assert.equal(again.map((c) => c.drawn), wide.map((c) => c.drawn));
});

test('issue 15: a report first opened at 800 px grows its charts to the full width at 1920 px', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 800, height: 1080 });
  await openReport(page);
  const narrow = await chartsFit(page, 'the charts to fit at 800 px');
  await page.setViewportSize({ width: 1920, height: 1080 });
  const wide = await chartsFit(page, 'the charts to grow at 1920 px');
  assert.ok(wide[0].drawn > narrow[0].drawn * 2, `at 1920 px ${wide[0].drawn} px wide, at 800 px ${narrow[0].drawn} px`);
});

test.run();
