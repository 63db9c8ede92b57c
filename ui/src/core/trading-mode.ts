import type { BotView } from './state.ts';

/** How the status bar names the account's mode: what a trader must never mistake. */
export interface TradingModeView {
  readonly kind: 'paper' | 'live' | 'other';
  /** `PAPER · simulator`, `LIVE · MetaApi`. */
  readonly label: string;
  readonly title: string;
}

const BROKERS: Readonly<Record<string, string>> = { sim: 'simulator', 'mt5-bridge': 'MT5 bridge', metaapi: 'MetaApi' };

/**
 * The mode the bot reports (`paper` or `live`, from its status or BOT_INITIALIZATION) with its
 * broker port; null until one is known.
 *
 * @example
 * tradingMode({ ...bot, mode: 'live', broker: 'metaapi' }); // { kind: 'live', label: 'LIVE · MetaApi', ... }
 */
export function tradingMode(bot: Pick<BotView, 'mode' | 'broker'>): TradingModeView | null {
  if (!bot.mode) return null;
  const broker = bot.broker ? BROKERS[bot.broker] ?? bot.broker : null;
  const via = broker ? ` · ${broker}` : '';
  if (bot.mode === 'live') {
    return { kind: 'live', label: `LIVE${via}`, title: `Live trading: orders go to ${broker ?? 'the broker'} with real money` };
  }
  if (bot.mode === 'paper') {
    return { kind: 'paper', label: `PAPER${via}`, title: `Paper trading: fills are simulated${broker ? ` (${broker})` : ''}; no order reaches a real account` };
  }
  return { kind: 'other', label: `${bot.mode.toUpperCase()}${via}`, title: `Mode: ${bot.mode}` };
}
