import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { countSent, launchBrowser, openWorkbench, pageConnection, pageState, waitFor } from '../kit/browser.ts';
import { startTestServer, type TestServer } from '../kit/server-kit.ts';
import type { ServerSettings } from '../../engine/config/defaults.ts';

/**
 * The built workbench against a real monitor server over a FakeBot (the events are ours to
 * send, the server's rate limit and replies are the real ones).
 */
const UI_DIR = new URL('../../ui/dist', import.meta.url).pathname;

async function serve(overrides: Partial<ServerSettings> = {}, port?: number): Promise<TestServer> {
  const server = await startTestServer({ uiDir: UI_DIR, ...(port ? { port } : {}), ...overrides });
  server.bot.init();
  server.bot.start();
  return server;
}

async function withPage<T>(browser: Browser, server: TestServer, run: (page: Page) => Promise<T>): Promise<T> {
  const page = await openWorkbench(browser, `${server.httpUrl}/`);
  try {
    await waitFor('the page to connect', async () => (await pageConnection(page)).phase === 'open');
    return await run(page);
  } finally {
    await page.context().close();
  }
}

let browser: Browser;
test.before(async () => {
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
});

test('issue C1: with the Trades tab open, events streaming in do not make it ask for the status more than every 3 s', async () => {
  const server = await serve();
  try {
    server.bot.entry('USDCHF');
    const openPage = await openWorkbench(browser, `${server.httpUrl}/`);
    const sent = countSent(openPage);
    await openPage.reload();
    try {
      await waitFor('the page to connect', async () => (await pageConnection(openPage)).phase === 'open');
      await openPage.keyboard.press('Control+Alt+KeyL');
      await openPage.locator('[data-table="open-positions"] [data-position="USDCHF"]').waitFor();
      const before = sent.get('request_status') ?? 0;
      const seen = await pageState(openPage, (s) => s.eventsSeen);
      // 300 events in 3 s, each a new folded state (and a new list of open positions).
      const start = Date.UTC(2024, 0, 16) / 1000;
      for (let i = 0; i < 30; i++) {
        for (let j = 0; j < 10; j++) server.bot.bar('EURUSD', start + (i * 10 + j) * 1800);
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitFor('the events on the page', async () => (await pageState(openPage, (s) => s.eventsSeen)) >= seen + 300, 15_000);
      const asked = (sent.get('request_status') ?? 0) - before;
      // One every 3 s while positions show: 1 or 2 in this window (before: one per folded frame, 26-40 a second).
      assert.ok(asked <= 3, `request_status sent ${asked} times for 300 events over about 3 s`);
      assert.ok((await openPage.locator('[data-table="open-positions"] [data-position="USDCHF"]').count()) === 1);
    } finally {
      await openPage.context().close();
    }
  } finally {
    await server.close();
  }
});


test('a reviewer: with the Trades tab open, positions opening and closing ten times in about 2 s do not make it ask for the status at each opening', async () => {
  const server = await serve();
  try {
    server.bot.entry('USDCHF');
    const openPage = await openWorkbench(browser, `${server.httpUrl}/`);
    const sent = countSent(openPage);
    await openPage.reload();
    try {
      await waitFor('the page to connect', async () => (await pageConnection(openPage)).phase === 'open');
      await openPage.keyboard.press('Control+Alt+KeyL');
      await openPage.locator('[data-table="open-positions"] [data-position="USDCHF"]').waitFor();
      const before = sent.get('request_status') ?? 0;
      const seen = await pageState(openPage, (s) => s.eventsSeen);
      // None open, then one, ten times: each opening restarted the poll and asked at once (before).
      for (let i = 0; i < 10; i++) {
        server.bot.exit('USDCHF');
        await new Promise((r) => setTimeout(r, 100));
        server.bot.entry('USDCHF');
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitFor('the events on the page', async () => (await pageState(openPage, (s) => s.eventsSeen)) >= seen + 20, 15_000);
      const asked = (sent.get('request_status') ?? 0) - before;
      assert.ok(asked <= 2, `request_status sent ${asked} times for 10 openings over about 2 s`);
    } finally {
      await openPage.context().close();
    }
  } finally {
    await server.close();
  }
});

test('issue M2: a refused close_position shows a notice naming the command and the server\'s reason', async () => {
  const server = await serve();
  try {
    server.bot.entry('USDCHF');
    const reason = '#1 was closed by take profit at 1.1300 on 2024-01-15T10:40:00 (pnl 150.00); USDCHF has no open position now';
    server.bot.closePosition = () => ({ ok: false, reason });
    await withPage(browser, server, async (page) => {
      await page.keyboard.press('Control+Alt+KeyL');
      await page.locator('[data-table="open-positions"] [data-close-ticket="1"]').click();
      await page.locator('[data-confirm="ok"]').click();
      const notice = page.locator('.notice[role="alert"]', { hasText: 'refused' });
      await notice.waitFor({ timeout: 10_000 });
      assert.is((await notice.locator('.text').innerText()).trim(), `Close position USDCHF #1 refused: ${reason}`);
    });
  } finally {
    await server.close();
  }
});

test('issue C1: a user command the server rate-limits is not lost silently: a notice names it', async () => {
  // Room for the page's own hello traffic (resume, request_status) and one command, refilled slowly.
  const server = await serve({ rateLimit: { capacity: 4, refillPerSecond: 0.05, floodRejects: 1000, floodWindowMs: 10_000 } });
  try {
    await withPage(browser, server, async (page) => {
      await page.locator('[data-symbol="USDCHF"]').waitFor();
      // Each click is a pause_symbol; a done command also asks for the status: the bucket runs dry.
      for (const symbol of ['USDCHF', 'EURUSD', 'USDCHF', 'EURUSD']) {
        await page.locator(`[data-symbol="${symbol}"] button[aria-label="Pause ${symbol}"], [data-symbol="${symbol}"] button[aria-label="Resume ${symbol}"]`).first().click();
        await page.waitForTimeout(150);
      }
      const notice = page.locator('.notice[role="alert"]', { hasText: 'rate-limiting' });
      await notice.first().waitFor({ timeout: 10_000 });
      assert.match(await notice.first().innerText(), /^(Pause|Resume) symbol (USDCHF|EURUSD) refused: not processed: the server is rate-limiting this page \(too many messages/);
    });
  } finally {
    await server.close();
  }
});

test('issue M1: a server back on the same port as another session shows only the new account\'s trades', async () => {
  const first = await serve();
  const port = Number(new URL(first.httpUrl).port);
  first.bot.entry('USDCHF');
  first.bot.exit('USDCHF');
  const page = await openWorkbench(browser, `${first.httpUrl}/`);
  try {
    await page.keyboard.press('Control+Alt+KeyL');
    await page.locator('#closed-h', { hasText: 'Closed trades (1)' }).waitFor();
    await first.close();
    const second = await startTestServer({ uiDir: UI_DIR, port });
    Object.assign(second.bot, { sessionId: 'cccccccc-0000-4000-8000-000000000003' });
    try {
      second.bot.init();
      second.bot.start();
      second.bot.entry('EURUSD');
      await waitFor('the page on the new session', async () => (await pageState(page, (s) => s.sessionId)) === 'cccccccc-0000-4000-8000-000000000003', 30_000);
      await page.locator('[data-table="open-positions"] [data-position="EURUSD"]').waitFor({ timeout: 15_000 });
      assert.is(await page.locator('#closed-h').textContent(), 'Closed trades (0)');
      assert.is(await page.locator('[data-table="open-positions"] [data-position="USDCHF"]').count(), 0);
      assert.equal(await pageState(page, (s) => s.log.map((e) => e.event.session_id).filter((id) => id !== 'cccccccc-0000-4000-8000-000000000003')), []);
    } finally {
      await second.close();
    }
  } finally {
    await page.context().close();
  }
});

test.run();
