import type { CommandContext } from '../../platform/registry.ts';
import { digitsOf, formatPrice } from '../../core/format.ts';

/**
 * Asks, naming the position and its ticket, then closes one symbol's open position at market.
 * Safe by default: the dialog's focus starts on Cancel.
 */
export async function closePosition(ctx: Pick<CommandContext, 'state' | 'confirm' | 'send'>, symbol: string): Promise<boolean> {
  const view = ctx.state().symbols[symbol];
  const position = view?.position;
  const digits = digitsOf(view);
  const ticket = position?.position_id;
  // A position that closed since it was picked is still asked about: the engine gives the answer.
  const what = position
    ? `${position.direction} ${position.lot_size} lots opened at ${formatPrice(position.entry_price, digits)}${ticket !== undefined ? `, ticket ${ticket}` : ''}`
    : 'the open position';
  if (!(await ctx.confirm(`Close ${symbol} (${what}) at market now?`))) return false;
  // Sent even if the position closed meanwhile, with the ticket the dialog named: the server closes
  // only that position, and otherwise refuses and says what happened to it.
  return ctx.send({ type: 'close_position', symbol, ...(ticket !== undefined ? { ticket } : {}) });
}
