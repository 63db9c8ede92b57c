import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../kit/browser.ts';
import { withEngineBehindProxy } from './engine-session.ts';
import { showRunForm } from './run-backtest-form.ts';

// Regression test for 67c0f42: until the server's `backtest_options` answer comes, the form
// offers the bot's own symbols, the usual timeframes and a free strategy field; a symbol,
// timeframe or strategy the user chose there was reset to the server's defaults when the answer
// came, so the backtest ran on another symbol than the one picked. The proxy holds that answer
// back until the picks are made, so the race the user lost on a slow link is lost every time.
// The page gives up on an answer after 10 s: the picks below take far less.
test('67c0f42: a symbol, timeframe and strategy picked before the server\'s choices arrive are kept, and run_backtest carries them', async () => {
  await withEngineBehindProxy({}, async ({ page, proxy }) => {
    const choices = proxy.hold((m) => m.type === 'command_result' && m.command === 'backtest_options');
    const form = await showRunForm(page);
    await waitFor('the server\'s choices, held at the proxy', async () => choices.held.length > 0);
    const offered = choices.held[0].data as { default: { symbol: string; timeframe: string; strategy: string }; strategies: { id: string }[] };
    const pick = { symbol: 'EURUSD', timeframe: 'H1', strategy: 'sma-crossover' };
    // Each pick differs from what the server would put there, and the server offers it.
    assert.is.not(pick.symbol, offered.default.symbol);
    assert.is.not(pick.timeframe, offered.default.timeframe);
    assert.is.not(pick.strategy, offered.default.strategy);
    assert.ok(offered.strategies.some((s) => s.id === pick.strategy), `${pick.strategy} is offered`);

    // What a user can choose before the answer: the free strategy field shows, not the select.
    assert.is(await form.locator('select[name="strategy"]').count(), 0, 'the server\'s choices are not in the form yet');
    await form.locator('select[name="symbol"]').selectOption(pick.symbol);
    await form.locator('select[name="timeframe"]').selectOption(pick.timeframe);
    await form.locator('input[name="strategy"]').fill(pick.strategy);

    choices.release();
    await form.locator('select[name="strategy"]').waitFor({ timeout: 30_000 });
    assert.is(await form.locator('select[name="symbol"]').inputValue(), pick.symbol, 'the symbol picked before the choices arrived is kept');
    assert.is(await form.locator('select[name="timeframe"]').inputValue(), pick.timeframe, 'the timeframe picked before the choices arrived is kept');
    assert.is(await form.locator('select[name="strategy"]').inputValue(), pick.strategy, 'the strategy typed before the choices arrived is kept');

    // A short range: the run itself is not under test, only what the page asks for.
    await form.locator('input[name="from"]').fill('1999-01-01');
    await form.locator('input[name="to"]').fill('1999-01-31');
    await form.getByRole('button', { name: 'Run backtest' }).click();
    const sent = await waitFor('run_backtest through the proxy', async () => proxy.fromClient.find((m) => m.type === 'run_backtest'));
    assert.equal({ symbol: sent.symbol, timeframe: sent.timeframe, strategy: sent.strategy }, pick, 'run_backtest carries the picks');
    await form.getByText('Server: accepted').waitFor({ timeout: 30_000 });
  });
});

test.run();
