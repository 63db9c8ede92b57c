import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Locator } from 'playwright-core';
import { countSent, runFromPalette, waitFor } from '../kit/browser.ts';
import { withEngine } from './engine-session.ts';

/** Whether the element is in the viewport and not covered (by the panel, the status bar). */
function seen(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.bottom > innerHeight || r.top < 0 || r.height === 0) return false;
    const top = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + r.height / 2);
    return top !== null && el.contains(top);
  });
}

test('issue M3: the forms say what is wrong next to their button, in view, naming the field, and send nothing of the wrong shape', async () => {
  await withEngine({}, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    const sent = countSent(page);
    await page.reload();
    await page.waitForFunction('window.__tradeloom !== undefined');

    await runFromPalette(page, 'Run Backtest');
    const form = page.locator('form[data-editor-type="backtest-form"]');
    // The bot's strategy's parameters make the form taller than the editor.
    await form.locator('[data-strategy-params] label').first().waitFor({ timeout: 60_000 });
    await form.locator('input[name="balance"]').fill('');
    await form.getByRole('button', { name: 'Run backtest' }).click();
    const outcome = form.locator('[data-backtest-outcome]');
    await outcome.waitFor();
    assert.is(await outcome.innerText(), 'Starting balance: enter an amount (e.g. 10000).');
    assert.is(await outcome.getAttribute('role'), 'alert');
    assert.is(await form.locator('input[name="balance"]').getAttribute('aria-invalid'), 'true');
    await waitFor('the outcome scrolled into view, above the panel', () => seen(outcome), 5_000);
    // A submit the browser blocks (below its min) leaves no stale answer behind.
    await form.locator('input[name="balance"]').fill('-5');
    await form.getByRole('button', { name: 'Run backtest' }).click();
    await outcome.waitFor({ state: 'detached', timeout: 5_000 });
    assert.is(sent.get('run_backtest') ?? 0, 0, 'nothing of the wrong shape was sent');

    await runFromPalette(page, 'Start Optimisation');
    const opt = page.locator('form[data-editor-type="optimisation-form"]');
    await opt.locator('select[name="method"]').selectOption('random');
    await opt.locator('input[name="trials"]').fill('');
    await opt.getByRole('button', { name: 'Start optimisation' }).click();
    const said = opt.locator('[data-optimisation-outcome]');
    await said.waitFor();
    assert.is(await said.innerText(), 'Trials: enter a whole number of 1 or more.');
    assert.not.match(await said.innerText(), /Invalid value|supplied to/);
    assert.is(await opt.locator('input[name="trials"]').getAttribute('aria-invalid'), 'true');
    await waitFor('the outcome in view', () => seen(said), 5_000);
    assert.is(sent.get('start_optimisation') ?? 0, 0);
  });
});

test.run();
