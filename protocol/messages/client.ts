import * as t from 'io-ts';

/**
 * Client to server messages. `ping` and `request_status` are the spec's; the rest are the manual
 * controls. Every command may carry a `request_id` that the reply echoes.
 */
const withRequestId = <TType extends string, P extends t.Props = {}>(type: TType, props: P = {} as P) =>
  t.intersection([t.type({ type: t.literal(type) }), t.type(props), t.partial({ request_id: t.union([t.string, t.number]) })]);

export const PingCodec = withRequestId('ping');
export const RequestStatusCodec = withRequestId('request_status');
export const StartBotCodec = withRequestId('start_bot');
export const StopBotCodec = withRequestId('stop_bot');
export const PauseSymbolCodec = withRequestId('pause_symbol', { symbol: t.string });
export const ResumeSymbolCodec = withRequestId('resume_symbol', { symbol: t.string });
/**
 * `ticket` (optional, for compatibility) binds the command to the position the user saw: if it
 * is no longer open the server refuses and says what happened to it. The UI always sends it.
 */
export const ClosePositionCodec = t.intersection([withRequestId('close_position', { symbol: t.string }), t.partial({ ticket: t.number })]);
export const RunBacktestCodec = t.intersection([
  withRequestId('run_backtest', { symbol: t.string, timeframe: t.string }),
  t.partial({ from: t.string, to: t.string, strategy: t.string, balance: t.number }),
]);
export const ListRecordingsCodec = withRequestId('list_recordings');
export const GetRecordingCodec = withRequestId('get_recording', { name: t.string });
/** Ask for every event after `last_seq` (the last one this client saw). */
export const ResumeCodec = withRequestId('resume', { last_seq: t.number });

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
  get_recording: GetRecordingCodec,
  resume: ResumeCodec,
} as const;

export type ClientMessageType = keyof typeof CLIENT_MESSAGE_CODECS;
export const CLIENT_MESSAGE_TYPES = Object.keys(CLIENT_MESSAGE_CODECS) as ClientMessageType[];
export type ClientMessageOf<TType extends ClientMessageType> = t.TypeOf<(typeof CLIENT_MESSAGE_CODECS)[TType]>;
export type ClientMessage = { [K in ClientMessageType]: ClientMessageOf<K> }[ClientMessageType];
