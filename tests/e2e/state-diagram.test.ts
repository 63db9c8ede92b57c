import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../kit/browser.ts';
import { ProtocolClient, withEngine } from './engine-session.ts';

const norm = (s: string) => s.replace(/_/g, '-');

test('the state diagram highlights the state the engine reports for the symbol', async () => {
  await withEngine({}, async ({ server, page }) => {
    const reference = await ProtocolClient.connect(server.url);
    try {
      const status = await waitFor('a running symbol', async () => {
        const s = await reference.status();
        return (s.symbols ?? []).find((x: { state: string }) => x.state !== 'idle');
      }, 60_000);
      const symbol = status.symbol as string;
      await page.locator(`.symbols [data-symbol="${symbol}"] .row`).click();
      const diagram = page.locator(`[data-symbol-editor="${symbol}"] svg[data-current-state]`);
      await diagram.waitFor();
      // The state moves on its own; what matters is that the page settles on what the engine says.
      await waitFor('the diagram to match the engine', async () => {
        const engine = norm((await reference.status()).symbols.find((x: { symbol: string }) => x.symbol === symbol).state);
        const shown = await diagram.getAttribute('data-current-state');
        return shown === engine;
      }, 30_000);
      // A state we set ourselves, held still: paused, highlighted as the one current node.
      await reference.request({ type: 'pause_symbol', symbol });
      await waitFor('engine paused', async () => (await reference.status()).symbols.find((x: { symbol: string }) => x.symbol === symbol).state === 'paused');
      await page.locator(`[data-symbol-editor="${symbol}"] .node.current[data-state="paused"]`).waitFor({ timeout: 15_000 });
      assert.is(await page.locator(`[data-symbol-editor="${symbol}"] .node.current`).count(), 1);
      // The transition that got it there is listed with its cause.
      await page.locator(`[data-symbol-editor="${symbol}"] .transitions li`, { hasText: 'paused' }).first().waitFor({ timeout: 15_000 });
    } finally {
      reference.close();
    }
  });
});

test.run();
