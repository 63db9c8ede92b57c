import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pageErrors, pageState, waitFor } from '../kit/browser.ts';
import { ProtocolClient, withEngine } from './engine-session.ts';

test('the page connects on load and shows the live events the engine sends', async () => {
  await withEngine({}, async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      await page.locator('[data-status="connection"][data-phase="open"]').waitFor();
      // Rows appear in the log panel, each with the seq the server gave it.
      await page.locator('.log-panel [data-seq]').first().waitFor({ timeout: 30_000 });
      await waitFor('symbols in the explorer', async () => (await page.locator('[data-symbol]').count()) > 0);
      const status = await reference.status();
      const symbols = (status.symbols ?? []).map((s: { symbol: string }) => s.symbol).sort();
      const shown = (await page.locator('.symbols [data-symbol]').evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')))).sort();
      assert.equal(shown, symbols);
      // Events the reference client saw live are in the page's log too, same seq, same type.
      await waitFor('a live event seen by both', async () => {
        const live = reference.received.filter((m) => m.event_type && m.seq !== undefined);
        if (live.length === 0) return false;
        const target = live[live.length - 1];
        return page.evaluate(`window.__tradeloom.live().log.some((e) => e.event.seq === ${target.seq} && e.event.event_type === '${target.event_type}')`);
      }, 60_000);
      assert.equal(pageErrors(page), []);
    } finally {
      reference.close();
    }
  });
});

test('the log never holds more than 1000 entries while thousands of events stream in', async () => {
  await withEngine({ speed: Number(process.env.TRADELOOM_E2E_FAST_SPEED ?? 2000) }, async ({ page }) => {
    let maxKept = 0;
    let maxRows = 0;
    const seen = await waitFor('more than 1500 events', async () => {
      const { seen, kept } = await pageState(page, (s) => ({ seen: s.eventsSeen, kept: s.log.length }));
      const rows = Number(await page.getAttribute('[data-log-count]', 'data-log-count'));
      maxKept = Math.max(maxKept, kept);
      maxRows = Math.max(maxRows, rows, await page.locator('.log-panel [data-seq]').count());
      return seen > 1500 ? seen : false;
    }, 180_000);
    assert.ok(seen > 1500);
    assert.ok(maxKept <= 1000, `kept ${maxKept}`);
    assert.ok(maxRows <= 1000, `rendered ${maxRows}`);
    assert.is(await pageState(page, (s) => s.log.length), 1000);
    assert.match(await page.locator('.log-panel .count').innerText(), /1000\/1000 kept/);
  });
});

test.run();
