import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { launchBrowser, openWorkbench, pageConnection, pageErrors, pageState, removeDir, startEngineServer, waitFor, type EngineServer } from '../kit/browser.ts';

// Issue 11: the workbench against a server started with TRADELOOM_TOKEN. It cannot tell why a
// WebSocket was refused, so it asks over HTTP, gets 401, and asks the user for the token; the
// token is kept in sessionStorage only and never appears in a URL.

const TOKEN = 'e2e-s3cret/token+with=odd chars';

// One server and one Chromium for both tests; each test's page has a browser context of its own
// (its own sessionStorage: no token yet), closed after it.
let browser: Browser;
let server: EngineServer;
test.before(async () => {
  browser = await launchBrowser();
  server = await startEngineServer({ speed: 20, env: { TRADELOOM_TOKEN: TOKEN } });
});
test.after(async () => {
  await browser?.close();
  if (server) {
    await server.stop();
    removeDir(server.dataDir);
  }
});

test('the workbench asks for the token on 401, refuses a wrong one, connects with the right one and keeps it for the tab only', async () => {
  const page = await openWorkbench(browser, server.url);
  try {
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    page.on('websocket', (ws) => urls.push(ws.url()));
    const dialog = page.getByRole('dialog', { name: 'This server needs a token' });
    await dialog.waitFor({ timeout: 30_000 });
    const input = dialog.getByLabel('Token');
    assert.ok(await input.evaluate((el) => el === document.activeElement), 'the token field has focus');
    assert.is(await input.getAttribute('type'), 'password');

    await input.fill('wrong-token');
    await page.keyboard.press('Enter');
    await waitFor('the refusal to be reported', async () => (await dialog.isVisible()) && /refused that token/.test(await dialog.innerText()));

    await dialog.getByLabel('Token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitFor('the page to connect with the token', async () => (await pageConnection(page)).phase === 'open');
    await waitFor('events to arrive', async () => (await pageState(page, (s) => s.eventsSeen)) > 0);
    assert.not.ok(await dialog.isVisible(), 'the dialog closed');

    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('tradeloom.token'), local: JSON.stringify({ ...localStorage }) }));
    assert.is(stored.session, TOKEN);
    assert.not.ok(stored.local.includes(TOKEN), 'not in localStorage');
    // The page's HTTP requests carry it as a header: the server lists recordings for it.
    const listed = await page.evaluate(async () => (await fetch('recordings', { headers: { authorization: `Bearer ${sessionStorage.getItem('tradeloom.token')}` } })).status);
    assert.is(listed, 200);

    // A reload in the same tab connects straight away; no URL ever held the token.
    await page.reload();
    await waitFor('the reloaded page to connect', async () => (await pageConnection(page)).phase === 'open');
    assert.not.ok(await dialog.isVisible());
    assert.ok(urls.length > 0);
    for (const url of urls) assert.not.ok(url.includes(encodeURIComponent(TOKEN)) || url.includes(TOKEN) || url.includes('token='), url);
    assert.equal(pageErrors(page), []);
    assert.not.match(server.output(), new RegExp(TOKEN.replace(/[+/=]/g, '.')), 'the server never logs the token');
  } finally {
    await page.context().close();
  }
});

test('issue m2: the token dialog cancelled, the status bar says the server needs a token and offers to enter it', async () => {
  const page = await openWorkbench(browser, server.url);
  try {
    const dialog = page.getByRole('dialog', { name: 'This server needs a token' });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const status = page.locator('[data-status="connection"][data-phase="offline"]');
    await status.getByText('the server needs a token').waitFor({ timeout: 15_000 });
    assert.match(await status.innerText(), /^✕ Offline — the server needs a token\s+enter token$/);
    await status.getByRole('button', { name: 'enter token' }).click();
    await dialog.waitFor();
    await dialog.getByLabel('Token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitFor('the page to connect with the token', async () => (await pageConnection(page)).phase === 'open');
    assert.is(await page.getByText('the server needs a token').count(), 0);
  } finally {
    await page.context().close();
  }
});

test.run();
