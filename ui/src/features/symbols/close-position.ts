import type { CommandContext } from '../../platform/registry.ts';
import type { OpenPosition } from '../../core/state.ts';
import { digitsOf, formatPrice } from '../../core/format.ts';

/**
 * Asks, naming the position and its ticket, then closes one symbol's open position at market.
 * Safe by default: the dialog's focus starts on Cancel.
 *
 * `picked` is the position the user chose (the row, the explorer button, the quick-pick item) as
 * it was when they chose it. The dialog names that one and the request carries its ticket, so a
 * position that closed meanwhile is refused by the engine, never swapped for a newer one.
 */
export async function closePosition(ctx: Pick<CommandContext, 'state' | 'confirm' | 'send'>, symbol: string, picked?: OpenPosition | null): Promise<boolean> {
  const view = ctx.state().symbols[symbol];
  const current = view?.position ?? null;
  // Without a ticket the request cannot name the position, so the dialog names the one it would close.
  const position = picked && picked.position_id !== undefined ? picked : current;
  const digits = digitsOf(view);
  const ticket = position?.position_id;
  const what = position
    ? `${position.direction} ${position.lot_size} lots opened at ${formatPrice(position.entry_price, digits)}${ticket !== undefined ? `, ticket ${ticket}` : ''}`
    : 'the open position';
  const gone = position !== null && position === picked && current?.position_id !== ticket
    ? ' It is no longer open on this page; the engine will say what happened to it.'
    : '';
  if (!(await ctx.confirm(`Close ${symbol} (${what}) at market now?${gone}`))) return false;
  // Sent even if the position closed meanwhile, with the ticket the dialog named: the server closes
  // only that position, and otherwise refuses and says what happened to it.
  return ctx.send({ type: 'close_position', symbol, ...(ticket !== undefined ? { ticket } : {}) });
}
