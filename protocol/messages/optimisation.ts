import * as t from 'io-ts';

/**
 * The optimiser over the WebSocket: a client starts a search (`start_optimisation`), every
 * client watches it (`optimisation_progress` with the finished trials' rows, then
 * `optimisation_complete` with PBO/DSR and the walk-forward result), and any client may cancel
 * it; the trials that finished are kept. These are messages, not log events: they carry no
 * `seq` and are not journaled (a search's thousands of rows are not the bot's history).
 */
const withRequestId = <TType extends string, P extends t.Props = {}>(type: TType, props: P = {} as P) =>
  t.intersection([t.type({ type: t.literal(type) }), t.type(props), t.partial({ request_id: t.union([t.string, t.number]) })]);

const Text = (max: number, name: string) => t.refinement(t.string, (s) => s.length <= max, `${name} (at most ${max} characters)`);
const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'positive integer');
const SafeInt = t.refinement(t.number, (n) => Number.isSafeInteger(n), 'integer');
const OptimisationIdCodec = t.refinement(t.string, (s) => /^[A-Za-z0-9._+-]{1,160}$/.test(s), 'optimisation id');
/** A parameter's name as `--param` spells it: `fast`, or `EURUSD.fast` for one symbol. */
const RangeNameCodec = t.refinement(t.string, (s) => s.length <= 80, 'parameter name (at most 80 characters)');

export const StartOptimisationCodec = t.intersection([
  withRequestId('start_optimisation', {
    /** Parameter name -> range as `--param` writes it: `5:50:5` (from:to:step) or `5,10,20` (a list). */
    ranges: t.record(RangeNameCodec, Text(2_000, 'range')),
  }),
  t.partial({
    /** One symbol (with `timeframe` and `strategy`); absent: the bot's own config, every symbol as one portfolio. */
    symbol: Text(32, 'symbol'),
    timeframe: Text(8, 'timeframe'),
    strategy: Text(100, 'strategy'),
    from: Text(10, 'date'),
    to: Text(10, 'date'),
    constraints: t.array(Text(200, 'constraint')),
    objective: Text(100, 'objective'),
    method: t.keyof({ grid: null, random: null, genetic: null }),
    trials: PositiveInt,
    seed: SafeInt,
    population: PositiveInt,
    /** `rolling:IS:OOS` or `anchored:IS:OOS` in months. */
    walk_forward: Text(40, 'walk-forward'),
  }),
]);
export type StartOptimisation = t.TypeOf<typeof StartOptimisationCodec>;

export const CancelOptimisationCodec = withRequestId('cancel_optimisation', { optimisation_id: OptimisationIdCodec });
/** The optimisation recordings (`optimisation.json`) the server has, newest first. */
export const ListOptimisationsCodec = withRequestId('list_optimisations');
/** One recording by the name `list_optimisations` gave, or a search this server ran. */
export const GetOptimisationCodec = withRequestId('get_optimisation', { name: OptimisationIdCodec });
/**
 * Runs one trial of an optimisation again as a full backtest (its parameters over the same
 * config and bars): its events stream like any backtest's, so its report opens as usual.
 */
export const RunTrialBacktestCodec = withRequestId('run_trial_backtest', { optimisation_id: OptimisationIdCodec, trial_id: Text(64, 'trial id') });

/** One finished trial as the ranked table shows it. Money in deposit currency; `max_drawdown_pct` a fraction. */
export const OptimisationTrialRowCodec = t.intersection([
  t.type({
    id: t.string,
    params: t.record(t.string, t.union([t.number, t.string, t.boolean])),
    /** The objective's value (null: cannot be ranked, e.g. no trades). */
    value: t.union([t.number, t.null]),
    net_profit: t.number,
    profit_factor: t.union([t.number, t.null]),
    sharpe: t.number,
    max_drawdown_pct: t.number,
    trades: t.number,
    weeks_within_target: t.number,
    weeks_total: t.number,
  }),
  t.partial({
    /** The walk-forward window (1-based) whose in-sample search ran it. */
    window: t.number,
    /** Why a trial ranks last without a score: `no trades`, or with its refused orders' main reason. */
    note: t.string,
  }),
]);
export type OptimisationTrialRow = t.TypeOf<typeof OptimisationTrialRowCodec>;

/** What the search maximises or minimises; `value` in each row is this objective's. */
export const OptimisationObjectiveCodec = t.type({ id: t.string, label: t.string, direction: t.keyof({ max: null, min: null }) });

export const OptimisationProgressCodec = t.intersection([
  t.type({
    type: t.literal('optimisation_progress'),
    optimisation_id: t.string,
    objective: OptimisationObjectiveCodec,
    done: t.number,
    planned: t.number,
    trials_per_second: t.number,
    /** Seconds left at the current pace (null before the first trial). */
    eta_seconds: t.union([t.number, t.null]),
    /** Trials finished since the previous progress message. */
    rows: t.array(OptimisationTrialRowCodec),
  }),
  t.partial({
    /** The governor's weekly trade band the rows' `weeks_within_target` count weeks within (the bot's config). */
    band: t.type({ min: t.number, max: t.number }),
  }),
]);
export type OptimisationProgress = t.TypeOf<typeof OptimisationProgressCodec>;

/** The end of a search: finished, cancelled (`stopped`, the finished rows kept) or failed (`error`). */
export const OptimisationCompleteCodec = t.intersection([
  t.type({
    type: t.literal('optimisation_complete'),
    optimisation_id: t.string,
    stopped: t.boolean,
    done: t.number,
    planned: t.number,
    /** The recording as `get_optimisation` returns it (null when the search failed before any trial). */
    recording: t.unknown,
  }),
  t.partial({ error: t.string }),
]);
export type OptimisationComplete = t.TypeOf<typeof OptimisationCompleteCodec>;
