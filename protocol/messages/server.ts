import * as t from 'io-ts';
import { BotStatusCodec } from './status.ts';
import { OptimisationCompleteCodec, OptimisationProgressCodec } from './optimisation.ts';

export const ConnectionEstablishedCodec = t.intersection([
  t.type({ type: t.literal('connection_established'), connection_id: t.string, bot_status: BotStatusCodec }),
  t.partial({ session_id: t.string, last_seq: t.number, server_version: t.string }),
]);
export type ConnectionEstablished = t.TypeOf<typeof ConnectionEstablishedCodec>;

export const PongCodec = t.intersection([t.type({ type: t.literal('pong') }), t.partial({ request_id: t.union([t.string, t.number]) })]);

/** Reply to `request_status`: the bot status object itself, tagged with `type: "status"`. */
export const StatusReplyCodec = t.intersection([
  t.type({ type: t.literal('status') }),
  BotStatusCodec,
  t.partial({ request_id: t.union([t.string, t.number]) }),
]);
export type StatusReply = t.TypeOf<typeof StatusReplyCodec>;

/** Reply to every manual command: done or not, and why not. */
export const CommandResultCodec = t.intersection([
  t.type({ type: t.literal('command_result'), command: t.string, ok: t.boolean, reason: t.string }),
  t.partial({ request_id: t.union([t.string, t.number]), data: t.unknown }),
]);
export type CommandResult = t.TypeOf<typeof CommandResultCodec>;

/**
 * Reply to `resume`: `replayed` events follow this message; `gap` is true when some of the
 * requested events are no longer in the buffer (then `first_available_seq` says where it starts).
 * `reset` is true when `last_seq` is beyond the server's own `last_seq` (a server that numbers
 * afresh or was rolled back): nothing is replayed, and the client must forget what it folded
 * and resume from 0.
 */
export const ResumeResultCodec = t.intersection([
  t.type({ type: t.literal('resume_result'), ok: t.boolean, from_seq: t.number, replayed: t.number, gap: t.boolean }),
  t.partial({ first_available_seq: t.number, request_id: t.union([t.string, t.number]), reason: t.string, reset: t.boolean, last_seq: t.number }),
]);
export type ResumeResult = t.TypeOf<typeof ResumeResultCodec>;

/**
 * A protocol error: malformed JSON, a wrong shape, an unknown type, rate limiting, or a slow
 * consumer warning. The connection stays open unless `closing` is true.
 */
export const ProtocolErrorCodec = t.intersection([
  t.type({ type: t.literal('error'), code: t.string, error: t.string }),
  t.partial({ details: t.array(t.string), closing: t.boolean, request_id: t.union([t.string, t.number]) }),
]);
export type ProtocolError = t.TypeOf<typeof ProtocolErrorCodec>;

export const ServerMessageCodec = t.union([
  ConnectionEstablishedCodec, PongCodec, StatusReplyCodec, CommandResultCodec, ResumeResultCodec, ProtocolErrorCodec,
  OptimisationProgressCodec, OptimisationCompleteCodec,
]);
/** A non-event message from the server; events are recognised by `event_type`. */
export type ServerMessage = t.TypeOf<typeof ServerMessageCodec>;
