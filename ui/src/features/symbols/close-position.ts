import type { CommandContext } from '../../platform/registry.ts';
import { digitsOf, formatPrice } from '../../core/format.ts';

/**
 * Asks, then closes one symbol's open position at market. Safe by default: the dialog's focus
 * starts on Cancel, and a position that changed meanwhile (another ticket) is not closed.
 */
export async function closePosition(ctx: Pick<CommandContext, 'state' | 'confirm' | 'send'>, symbol: string): Promise<boolean> {
  const view = ctx.state().symbols[symbol];
  const position = view?.position;
  if (!position) return false;
  const digits = digitsOf(view);
  const ticket = position.position_id;
  const what = `${position.direction} ${position.lot_size} lots opened at ${formatPrice(position.entry_price, digits)}${ticket !== undefined ? `, ticket ${ticket}` : ''}`;
  if (!(await ctx.confirm(`Close ${symbol} (${what}) at market now?`))) return false;
  const now = ctx.state().symbols[symbol]?.position;
  if (!now || now.position_id !== ticket) return false;
  // The ticket makes the server check it too: a position that closed after this check is not replaced by another.
  return ctx.send({ type: 'close_position', symbol, ...(ticket !== undefined ? { ticket } : {}) });
}
