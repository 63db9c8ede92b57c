import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { CLIENT_MESSAGE_CODECS, type ClientMessage, type ClientMessageType } from './messages/client.ts';
import { EVENT_CODECS, type EventType, type LogEvent } from './events/index.ts';

/** The outcome of decoding untrusted input: a value, or an error naming what and where. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; code: string; error: string; details: string[] };

/** Decodes with a codec; on failure the details name each offending path. */
export function decodeWith<C extends t.Mixed>(codec: C, input: unknown, what: string): Decoded<t.TypeOf<C>> {
  const result = codec.decode(input);
  if (E.isRight(result)) return { ok: true, value: result.right };
  return { ok: false, code: 'invalid_shape', error: `invalid ${what}`, details: PathReporter.report(result).slice(0, 10) };
}

/** Parses and validates one client message from the socket. Never throws. */
export function decodeClientMessage(raw: string): Decoded<ClientMessage> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, code: 'malformed_json', error: `malformed JSON: ${(err as Error).message}`, details: [] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'invalid_shape', error: 'a message must be a JSON object with a "type" field', details: [] };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, code: 'invalid_shape', error: 'missing "type" field (a string)', details: [] };
  }
  const codec = (CLIENT_MESSAGE_CODECS as Record<string, t.Mixed>)[type];
  if (!codec) {
    return {
      ok: false,
      code: 'unknown_type',
      error: `unknown message type "${type.slice(0, 64)}"; known: ${Object.keys(CLIENT_MESSAGE_CODECS).join(', ')}`,
      details: [],
    };
  }
  return decodeWith(codec, json, `"${type as ClientMessageType}" message`) as Decoded<ClientMessage>;
}

/** Validates one log event (from a recording file or the socket). */
export function decodeLogEvent(input: unknown): Decoded<LogEvent> {
  const type = (input as { event_type?: unknown } | null)?.event_type;
  const codec = typeof type === 'string' ? (EVENT_CODECS as Record<string, t.Mixed>)[type] : undefined;
  if (!codec) return { ok: false, code: 'unknown_event_type', error: `unknown event_type ${JSON.stringify(type)}`, details: [] };
  return decodeWith(codec, input, `${type as EventType} event`) as Decoded<LogEvent>;
}
