import type { WorkbenchState } from '../../core/state.ts';

/**
 * What the bot's data check warned of when it started (BOT_INITIALIZATION
 * `trading_settings.data_warnings`: bars left out where the symbols' data do not overlap, prices
 * off a symbol spec's scale). Empty for a bot that said none, or an older server.
 */
export function dataWarnings(state: Pick<WorkbenchState, 'config'>): string[] {
  const list = (state.config?.config.trading_settings as { data_warnings?: unknown } | undefined)?.data_warnings;
  return Array.isArray(list) ? list.filter((w): w is string => typeof w === 'string') : [];
}
