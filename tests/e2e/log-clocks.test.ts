import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LogEvent } from '../../protocol/index.ts';
import { formatTimestamp } from '../../protocol/index.ts';
import { builtWorkbench, openWorkbench, pageErrors } from '../kit/browser.ts';
import { injectSession, injectedSession } from './injected-session.ts';

const workbench = builtWorkbench(test);

/** A command the server audited at its wall-clock time, in the injected 1997 session. */
const WALL = Date.UTC(2026, 10, 29, 18, 45, 12);
const command: LogEvent = {
  timestamp: formatTimestamp(WALL), session_id: 'live-1', event_type: 'COMMAND', level: 'INFO', seq: 100_001,
  data: { command: 'get_status', connection_id: 'c-1', ok: true, reason: 'status sent', params: {} },
} as LogEvent;

test('issue 15: the log shows market rows with their date and marks a COMMAND\'s time as wall-clock time', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page, [...injectedSession(), command]);
  const log = page.locator('[data-view="log"]');
  await log.locator('select[aria-label="Event type"]').selectOption('COMMAND');
  const wall = log.locator('.row .time').first();
  assert.is(await wall.innerText(), 'wall 18:45:12');
  assert.is(await wall.getAttribute('data-clock'), 'wall');
  assert.match((await wall.getAttribute('title'))!, /^Wall-clock time \(UTC\) the server took this command: 2026-11-29 18:45:12\. The other rows show market time\.$/);
  await log.locator('select[aria-label="Event type"]').selectOption('TRADE_EXIT');
  const market = log.locator('.row .time').first();
  assert.match(await market.innerText(), /^1997-01-\d\d \d\d:\d\d:\d\d$/);
  assert.is(await market.getAttribute('data-clock'), 'market');
  // The whole stamp fits its column: nothing of the date is cut.
  const fits = await market.evaluate((el) => el.scrollWidth <= el.clientWidth);
  assert.ok(fits, 'the market time fits its column');
  assert.equal(pageErrors(page), []);
});

test.run();
