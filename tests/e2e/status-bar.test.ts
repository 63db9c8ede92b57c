import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LogEvent } from '../../protocol/index.ts';
import { seriousViolations } from '../kit/axe.ts';
import { builtWorkbench, openWorkbench, runFromPalette } from '../kit/browser.ts';
import { injectSession, injectedSession } from './injected-session.ts';

const workbench = builtWorkbench(test);

/** The injected session as the bot in `mode` on `broker` reports it (BOT_INITIALIZATION's fields). */
function sessionIn(mode: string, broker: string): LogEvent[] {
  const events = injectedSession();
  const init = events[0] as Extract<LogEvent, { event_type: 'BOT_INITIALIZATION' }>;
  return [{ ...init, data: { ...init.data, mode, broker } } as LogEvent, ...events.slice(1)];
}

test('issue M4: a paper session says PAPER with its simulator, in the status bar', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page, sessionIn('paper', 'sim'));
  const mode = page.locator('[data-status="mode"]');
  assert.is(await mode.textContent(), 'PAPER · simulator');
  assert.is(await mode.getAttribute('data-mode'), 'paper');
  assert.match(await mode.getAttribute('title') ?? '', /^Paper trading: fills are simulated/);
  await page.context().close();
});

for (const theme of ['dark', 'light'] as const) {
  test(`issue M4: a live session says LIVE with its broker, as a pill of its own colours that passes contrast (${theme})`, async () => {
    const page = await openWorkbench(workbench.browser, workbench.url);
    if (theme === 'light') await runFromPalette(page, 'Toggle Light / Dark Theme');
    await injectSession(page, sessionIn('live', 'metaapi'));
    const mode = page.locator('[data-status="mode"]');
    assert.is(await mode.textContent(), '●LIVE · MetaApi');
    assert.is(await mode.getAttribute('data-mode'), 'live');
    assert.match(await mode.getAttribute('title') ?? '', /^Live trading: orders go to MetaApi with real money/);
    // Not the status bar's own colours: a live account is told apart at a glance from a paper one.
    const colours = await page.evaluate(() => {
      const bar = getComputedStyle(document.querySelector('.statusbar')!);
      const chip = getComputedStyle(document.querySelector('[data-status="mode"]')!);
      return { bar: bar.backgroundColor, chip: chip.backgroundColor, text: chip.color };
    });
    assert.is.not(colours.chip, colours.bar);
    assert.is.not(colours.chip, 'rgba(0, 0, 0, 0)');
    const found = await seriousViolations(page, `status bar, live (${theme})`);
    assert.equal(found, [], found.join('\n'));
    await page.context().close();
  });
}

test('issue m3: at 800x600 the status bar holds every item it shows inside the window, offline and live', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url, { width: 800, height: 600 });
  await injectSession(page, sessionIn('live', 'metaapi'));
  await page.locator('[data-status="connection"][data-phase="offline"]').waitFor();
  const overflow = await page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('.statusbar')!;
    const right = bar.getBoundingClientRect().right;
    const out = [...bar.querySelectorAll<HTMLElement>('[data-status]')]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > right + 0.5)
      .map((el) => el.dataset.status);
    return { scroll: bar.scrollWidth, width: bar.clientWidth, out };
  });
  assert.equal(overflow.out, [], `items past the window's edge: ${overflow.out.join(', ')}`);
  assert.ok(overflow.scroll <= overflow.width, `the bar's content is ${overflow.scroll} px wide in ${overflow.width} px`);
  for (const status of ['connection', 'mode', 'balance']) assert.ok(await page.locator(`[data-status="${status}"]`).isVisible(), status);
  await page.context().close();
});

test.run();
