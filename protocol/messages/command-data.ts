import * as t from 'io-ts';

/**
 * Shapes carried in `command_result.data` that both the server and the workbench read: defined
 * once here so the two sides cannot drift apart.
 */

/** A strategy parameter as `backtest_options` offers it (generated from the plugin's codec). */
export const ParamFieldCodec = t.intersection([
  t.type({
    name: t.string,
    /** The codec's name for the type: `number`, `positive integer`, `boolean`, `string`, `Array<string>`, ... */
    type: t.string,
    /** `number` (incl. refinements of it), `boolean`, `string`, or `json` for anything else. */
    kind: t.keyof({ number: null, boolean: null, string: null, json: null }),
    default: t.unknown,
  }),
  /** What it means, when the plugin says (`paramDescriptions`). */
  t.partial({ description: t.string }),
]);
export type ParamField = t.TypeOf<typeof ParamFieldCodec>;

/** A recorded backtest in `list_recordings` (`backtest`): what it ran, on what range, and its headline result. */
export const BacktestSummaryCodec = t.intersection([
  t.type({ session_id: t.string, symbol: t.string, data_points: t.number, starting_balance: t.number, complete: t.boolean }),
  t.partial({
    timeframe: t.string, strategy: t.string, params: t.record(t.string, t.unknown), from: t.string, to: t.string,
    final_balance: t.number, total_trades: t.number, total_return: t.number,
    /** `ticks`: run under the real-ticks model (BACKTEST_START's `model`); absent: bars. */
    model: t.literal('ticks'),
    /** The run failed part way (BACKTEST_COMPLETE's `error`) or a symbol's strategy threw (`faults`): never a whole run. */
    error: t.string, faults: t.array(t.type({ symbol: t.string, time: t.string, error: t.string })),
  }),
]);
export type BacktestSummary = t.TypeOf<typeof BacktestSummaryCodec>;
