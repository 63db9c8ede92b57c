import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptySymbol, initialState, type OpenPosition, type WorkbenchState } from '../../ui/src/core/state.ts';
import { closePosition } from '../../ui/src/features/symbols/close-position.ts';

const A: OpenPosition = { direction: 'buy', lot_size: 0.12, entry_price: 0.91234, stop_loss: 0.9, take_profit: 0.93, position_id: 7 };
const B: OpenPosition = { direction: 'sell', lot_size: 0.3, entry_price: 0.91555, stop_loss: 0.93, take_profit: 0.9, position_id: 8 };

/** The page's state with USDCHF's position, a dialog that records its text and answers, and the sent requests. */
function page(position: OpenPosition | null, answer = true) {
  const state: WorkbenchState = { ...initialState(), symbols: { USDCHF: { ...emptySymbol('USDCHF'), position, digits: 5 } }, symbolOrder: ['USDCHF'] };
  const asked: string[] = [];
  const sent: Record<string, unknown>[] = [];
  return {
    asked, sent,
    ctx: {
      state: () => state,
      confirm: async (text: string) => (asked.push(text), answer),
      send: (m: Record<string, unknown>) => (sent.push(m), true),
    },
  };
}

test('the dialog names the position the user picked and the request carries its ticket', async () => {
  const p = page(A);
  assert.ok(await closePosition(p.ctx as never, 'USDCHF', A));
  assert.equal(p.asked, ['Close USDCHF (buy 0.12 lots opened at 0.91234, ticket 7) at market now?']);
  assert.equal(p.sent, [{ type: 'close_position', symbol: 'USDCHF', ticket: 7 }]);
});

test('a picked position that closed before the dialog is still the one named, and the user is told', async () => {
  const p = page(null);
  await closePosition(p.ctx as never, 'USDCHF', A);
  assert.match(p.asked[0], /^Close USDCHF \(buy 0\.12 lots opened at 0\.91234, ticket 7\) at market now\? It is no longer open on this page/);
  // The engine refuses a ticket that is gone and says what happened to it.
  assert.equal(p.sent, [{ type: 'close_position', symbol: 'USDCHF', ticket: 7 }]);
});

test('a newer position opened meanwhile is never closed in place of the one picked', async () => {
  const p = page(B);
  await closePosition(p.ctx as never, 'USDCHF', A);
  assert.match(p.asked[0], /ticket 7\).*no longer open/);
  assert.equal(p.sent, [{ type: 'close_position', symbol: 'USDCHF', ticket: 7 }]);
});

test('a position known without a ticket: the dialog names the one the request would close', async () => {
  const noTicket = (p: OpenPosition): OpenPosition => ({ ...p, position_id: undefined });
  const p = page(noTicket(B));
  await closePosition(p.ctx as never, 'USDCHF', noTicket(A));
  assert.equal(p.asked, ['Close USDCHF (sell 0.3 lots opened at 0.91555) at market now?']);
  assert.equal(p.sent, [{ type: 'close_position', symbol: 'USDCHF' }]);
});

test('cancelling sends nothing', async () => {
  const p = page(A, false);
  assert.is(await closePosition(p.ctx as never, 'USDCHF', A), false);
  assert.equal(p.sent, []);
});

test.run();
