import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import type { LogEvent } from '../../protocol/index.ts';
import { builtWorkbench, openWorkbench } from '../kit/browser.ts';
import { EventFactory } from '../kit/ui-events.ts';

const workbench = builtWorkbench(test);

/** 43 symbols as the reviewer's config had them: every other one a 32-character name (the protocol's longest). */
const SYMBOLS = ['USDCHF', 'EURUSD', 'XAUUSD', ...Array.from({ length: 40 }, (_, i) => (i % 2 ? `IDX${i}.cash` : `VERYLONGSYMBOLNAMEFORTESTING${String(i).padStart(4, '0')}`))];

function manySymbols(): LogEvent[] {
  const f = new EventFactory('live-many');
  return [f.init(SYMBOLS), ...SYMBOLS.map((s) => f.transition(s, 'idle', 'scanning'))];
}

async function open(width: number, height: number): Promise<Page> {
  const page = await openWorkbench(workbench.browser, workbench.url, { width, height });
  await page.evaluate((inputs) => (window as unknown as { __tradeloom: { inject(i: unknown[]): void } }).__tradeloom.inject(inputs), manySymbols() as unknown[]);
  await page.locator(`[data-symbol="${SYMBOLS[SYMBOLS.length - 1]}"] .state-chip[data-state="scanning"]`).waitFor({ state: 'attached' });
  return page;
}

for (const [width, height] of [[1280, 720], [800, 600]] as const) {
  test(`issue M5: at ${width}x${height} every symbol's state chip stays whole inside the side bar, a long name is cut with its full name in a title`, async () => {
    const page = await open(width, height);
    const rows = await page.evaluate(() => {
      const bar = document.querySelector('.sidebar')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('li[data-symbol]')].map((li) => {
        const chip = li.querySelector('.state-chip')!.getBoundingClientRect();
        const name = li.querySelector<HTMLElement>('.name')!;
        return {
          symbol: li.dataset.symbol!, chipInside: chip.left >= bar.left && chip.right <= bar.right, chipWidth: chip.width,
          nameBeforeChip: name.getBoundingClientRect().right <= chip.left + 0.5, title: name.getAttribute('title'),
        };
      });
    });
    assert.is(rows.length, 43);
    assert.equal(rows.filter((r) => !r.chipInside).map((r) => r.symbol), [], 'chips outside the side bar');
    assert.equal(rows.filter((r) => !r.nameBeforeChip).map((r) => r.symbol), [], 'names running under the chip');
    const widths = new Set(rows.map((r) => Math.round(r.chipWidth)));
    assert.is(widths.size, 1, `the "scanning" chip never shrinks: widths ${[...widths].join(', ')}`);
    for (const r of rows) assert.is(r.title, r.symbol);
    await page.context().close();
  });

  test(`issue M5: at ${width}x${height} with 43 symbols every side bar section's header shows inside the side bar, above the status bar`, async () => {
    const page = await open(width, height);
    const sections = await page.evaluate(() => {
      const bar = document.querySelector('.sidebar')!.getBoundingClientRect();
      const status = document.querySelector('.statusbar')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('.sidebar section[data-view]')].map((s) => {
        const title = s.querySelector('.section-title')!.getBoundingClientRect();
        return { view: s.dataset.view!, top: title.top, bottom: title.bottom, height: title.height, barBottom: Math.min(bar.bottom, status.top), body: s.querySelector('.body')?.getBoundingClientRect().height ?? 0 };
      });
    });
    const hidden = sections.filter((s) => s.bottom > s.barBottom + 0.5 || s.height < 16).map((s) => `${s.view} (${Math.round(s.top)}-${Math.round(s.bottom)})`);
    assert.equal(hidden, [], `section headers outside the side bar: ${hidden.join(', ')}`);
    // The symbols keep a usable list (several rows), scrolled in its own box.
    const symbols = sections.find((s) => s.view === 'symbols')!;
    assert.ok(symbols.body >= 120, `the symbols list is ${Math.round(symbols.body)} px tall`);
    await page.context().close();
  });
}

test.run();
