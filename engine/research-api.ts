/**
 * The research API: what offline tools beside a plugin (trainers, evaluators, notebooks) may
 * import to run the engine on history. A plugin's runtime code imports `plugin-api.ts` only.
 */
export { runBacktest } from './backtest/backtest-runner.ts';
export type { BacktestOptions, BacktestResult } from './backtest/backtest-runner.ts';
export type { SimModel } from './broker/sim-broker.ts';
export { loadHistory } from './data/load-history.ts';
export type { LoadHistoryOptions, LoadedHistory } from './data/load-history.ts';
export { tileSeries, tileChunks } from './data/tile.ts';
