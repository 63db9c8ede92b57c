import { FOREX_WEEK, type TradingWeekConfig } from '../time/trading-week.ts';

/** Trade-frequency limits, account-wide by default. */
export interface GovernorConfig {
  readonly minTradesPerWeek: number;
  readonly maxTradesPerWeek: number;
  /** Size multiplier applied per step when under the minimum pace (spec: +30 %). */
  readonly aggressionStep: number;
  /** Highest multiplier the steps may reach. */
  readonly aggressionCap: number;
  /** Hours between pace checks, counted from the session open (default daily). */
  readonly paceCheckHours: number;
  readonly week: TradingWeekConfig;
}

export const DEFAULT_GOVERNOR_CONFIG: GovernorConfig = {
  minTradesPerWeek: 3,
  maxTradesPerWeek: 10,
  aggressionStep: 1.3,
  aggressionCap: 1.3 ** 3,
  paceCheckHours: 24,
  week: FOREX_WEEK,
};

/** Merges a partial config over the defaults and refuses inconsistent limits. */
export function governorConfig(partial: Partial<GovernorConfig> = {}): GovernorConfig {
  // One literal, not a spread: the config keeps one hidden class from run to run (hot code reads it).
  const d = DEFAULT_GOVERNOR_CONFIG;
  const week: Partial<TradingWeekConfig> = partial.week ?? {};
  const config: GovernorConfig = {
    minTradesPerWeek: partial.minTradesPerWeek ?? d.minTradesPerWeek,
    maxTradesPerWeek: partial.maxTradesPerWeek ?? d.maxTradesPerWeek,
    aggressionStep: partial.aggressionStep ?? d.aggressionStep,
    aggressionCap: partial.aggressionCap ?? d.aggressionCap,
    paceCheckHours: partial.paceCheckHours ?? d.paceCheckHours,
    week: {
      anchorDay: week.anchorDay ?? FOREX_WEEK.anchorDay, anchorHour: week.anchorHour ?? FOREX_WEEK.anchorHour,
      openOffsetHours: week.openOffsetHours ?? FOREX_WEEK.openOffsetHours, sessionHours: week.sessionHours ?? FOREX_WEEK.sessionHours,
    },
  };
  const { minTradesPerWeek: min, maxTradesPerWeek: max } = config;
  if (!(Number.isInteger(min) && min >= 0)) throw new Error(`governor: minTradesPerWeek must be a whole number >= 0, got ${min}`);
  if (!(Number.isInteger(max) && max >= 1)) throw new Error(`governor: maxTradesPerWeek must be a whole number >= 1, got ${max}`);
  if (min > max) throw new Error(`governor: minTradesPerWeek (${min}) exceeds maxTradesPerWeek (${max})`);
  if (!(config.aggressionStep >= 1)) throw new Error(`governor: aggressionStep must be >= 1, got ${config.aggressionStep}`);
  if (!(config.aggressionCap >= 1)) throw new Error(`governor: aggressionCap must be >= 1, got ${config.aggressionCap}`);
  return config;
}
