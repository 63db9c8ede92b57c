import * as t from 'io-ts';
import { CancelOptimisationCodec, GetOptimisationCodec, ListOptimisationsCodec, RunTrialBacktestCodec, StartOptimisationCodec } from './optimisation.ts';

/**
 * Client to server messages. `ping` and `request_status` are the spec's; the rest are the manual
 * controls. Every command may carry a `request_id` that the reply echoes.
 */
const withRequestId = <TType extends string, P extends t.Props = {}>(type: TType, props: P = {} as P) =>
  t.intersection([t.type({ type: t.literal(type) }), t.type(props), t.partial({ request_id: t.union([t.string, t.number]) })]);

/** An MT5 symbol name as a client may send it: letters, digits and `._#+-`, at most 32. */
export const SymbolNameCodec = t.refinement(t.string, (s) => /^[A-Za-z0-9._#+-]{1,32}$/.test(s), 'symbol name: 1-32 of A-Z a-z 0-9 . _ # + -');
/** A starting balance a backtest can book in cents: positive and at most 10^12. */
export const BalanceCodec = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0 && n <= 1e12, 'Balance (0 < balance <= 1e12)');
/** A sequence number: a non-negative safe integer. */
export const SeqCodec = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Seq (non-negative integer)');

export const PingCodec = withRequestId('ping');
export const RequestStatusCodec = withRequestId('request_status');
export const StartBotCodec = withRequestId('start_bot');
export const StopBotCodec = withRequestId('stop_bot');
export const PauseSymbolCodec = withRequestId('pause_symbol', { symbol: SymbolNameCodec });
export const ResumeSymbolCodec = withRequestId('resume_symbol', { symbol: SymbolNameCodec });
/** A position's ticket as the broker gave it: a positive integer. */
export const TicketCodec = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'Ticket (positive integer)');
/**
 * `ticket` (optional, for compatibility) binds the command to the position the user saw: if it
 * is no longer open the server refuses and says what happened to it. The UI always sends it.
 */
export const ClosePositionCodec = t.intersection([withRequestId('close_position', { symbol: SymbolNameCodec }), t.partial({ ticket: TicketCodec })]);
/**
 * Strategy parameters by name (`{"fast": 5}`), layered over the bot's own for that symbol; the
 * server decodes them with the plugin's codec and refuses a value or a name it does not take.
 */
export const StrategyParamsCodec = t.record(t.string, t.unknown);
/**
 * How a backtest tests stops and targets inside a bar: `bars` (the bar's range, the default) or
 * `ticks` (each tick or `time,price` sample, MT5's "every tick based on real ticks").
 */
export const StopModelCodec = t.union([t.literal('bars'), t.literal('ticks')]);
export type StopModel = t.TypeOf<typeof StopModelCodec>;
export const RunBacktestCodec = t.intersection([
  withRequestId('run_backtest', { symbol: SymbolNameCodec, timeframe: t.string }),
  t.partial({
    from: t.string, to: t.string, strategy: t.string, balance: BalanceCodec, params: StrategyParamsCodec,
    /** `ticks`: stops and targets tested on each tick or sample inside a bar (the real-ticks model); default `bars`. */
    model: StopModelCodec,
  }),
]);
export const ListRecordingsCodec = withRequestId('list_recordings');
/** What a backtest can be run on here: symbols, timeframes, strategies (answered by a `command_result`). */
export const BacktestOptionsCodec = withRequestId('backtest_options');
export const GetRecordingCodec = withRequestId('get_recording', { name: t.string });
/** A recorded backtest's BACKTEST_START and BACKTEST_COMPLETE only (what a comparison of runs needs), read from the file's ends. */
export const GetBacktestCodec = withRequestId('get_backtest', { name: t.string });
/** Ask for every event after `last_seq` (the last one this client saw). */
export const ResumeCodec = withRequestId('resume', { last_seq: SeqCodec });

export const CLIENT_MESSAGE_CODECS = {
  ping: PingCodec,
  request_status: RequestStatusCodec,
  start_bot: StartBotCodec,
  stop_bot: StopBotCodec,
  pause_symbol: PauseSymbolCodec,
  resume_symbol: ResumeSymbolCodec,
  close_position: ClosePositionCodec,
  run_backtest: RunBacktestCodec,
  list_recordings: ListRecordingsCodec,
  backtest_options: BacktestOptionsCodec,
  get_recording: GetRecordingCodec,
  get_backtest: GetBacktestCodec,
  resume: ResumeCodec,
  start_optimisation: StartOptimisationCodec,
  cancel_optimisation: CancelOptimisationCodec,
  list_optimisations: ListOptimisationsCodec,
  get_optimisation: GetOptimisationCodec,
  run_trial_backtest: RunTrialBacktestCodec,
} as const;

export type ClientMessageType = keyof typeof CLIENT_MESSAGE_CODECS;
export const CLIENT_MESSAGE_TYPES = Object.keys(CLIENT_MESSAGE_CODECS) as ClientMessageType[];
export type ClientMessageOf<TType extends ClientMessageType> = t.TypeOf<(typeof CLIENT_MESSAGE_CODECS)[TType]>;
export type ClientMessage = { [K in ClientMessageType]: ClientMessageOf<K> }[ClientMessageType];
