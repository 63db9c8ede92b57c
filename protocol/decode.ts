import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { CLIENT_MESSAGE_CODECS, type ClientMessage, type ClientMessageType } from './messages/client.ts';
import { EVENT_CODECS, type EventType, type LogEvent } from './events/index.ts';

/** The outcome of decoding untrusted input: a value, or an error naming what and where. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; code: string; error: string; details: string[] };

/**
 * Decodes with a codec; on failure the error names the first offending field, its value and
 * what it should be (`model: got "TICKS", expected ("bars" | "ticks")`), and the details are
 * io-ts's path reports, one per distinct problem.
 */
export function decodeWith<C extends t.Mixed>(codec: C, input: unknown, what: string): Decoded<t.TypeOf<C>> {
  const result = codec.decode(input);
  if (E.isRight(result)) return { ok: true, value: result.right };
  const first = result.left.length > 0 ? fieldProblem(result.left[0]) : null;
  return { ok: false, code: 'invalid_shape', error: `invalid ${what}${first ? `: ${first}` : ''}`, details: [...new Set(PathReporter.report(result))].slice(0, 10) };
}

/**
 * One validation error as `path: got VALUE, expected TYPE`: the path is the message's own keys
 * (a union's or an intersection's member index is not one), the type the codec's name for the
 * deepest such key; the value is cut to 80 characters.
 */
function fieldProblem(error: t.ValidationError): string | null {
  const path: string[] = [];
  let expected: string | null = null;
  const ctx = error.context;
  for (let i = 1; i < ctx.length; i++) {
    const parent = ctx[i - 1].type as t.Mixed & { _tag?: string };
    if (parent._tag === 'UnionType' || parent._tag === 'IntersectionType' || ctx[i].key === '') continue;
    path.push(parent._tag === 'ArrayType' || parent._tag === 'ReadonlyArrayType' ? `[${ctx[i].key}]` : ctx[i].key);
    expected = ctx[i].type.name;
  }
  if (path.length === 0 || expected === null) return null;
  const json = JSON.stringify(error.value) ?? 'undefined';
  const value = json.length > 80 ? `${json.slice(0, 80)}...` : json;
  return `${path.join('.').replace(/\.\[/g, '[')}: got ${value}, expected ${expected.length > 160 ? `${expected.slice(0, 160)}...` : expected}`;
}

/** Longest string a client message may carry anywhere (symbols, names, dates, request ids). */
export const MAX_CLIENT_STRING = 256;

/**
 * Every string in a client message is bounded and every number finite (`1e309` parses as
 * Infinity): whatever a field means, it cannot carry kilobytes into replies, events or the
 * journal. Returns the path and problem of the first offender.
 */
function unboundedField(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.length > MAX_CLIENT_STRING ? `${path || 'value'}: a string of ${value.length} characters; at most ${MAX_CLIENT_STRING}` : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path || 'value'}: ${value} is not a finite number`;
  if (typeof value !== 'object' || value === null) return null;
  if (depth > 8) return `${path}: nested too deep`;
  for (const [key, v] of Object.entries(value)) {
    if (key.length > MAX_CLIENT_STRING) return `a key of ${key.length} characters in ${path || 'the message'}; at most ${MAX_CLIENT_STRING}`;
    const problem = unboundedField(v, path ? `${path}.${key}` : key, depth + 1);
    if (problem) return problem;
  }
  return null;
}

// PathReporter quotes the offending value; a reply must not echo kilobytes of it back.
const MAX_DETAIL = 400;

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
  const codec = Object.hasOwn(CLIENT_MESSAGE_CODECS, type) ? (CLIENT_MESSAGE_CODECS as Record<string, t.Mixed>)[type] : undefined;
  if (!codec) {
    return {
      ok: false,
      code: 'unknown_type',
      error: `unknown message type ${JSON.stringify(type.slice(0, 64))}; known: ${Object.keys(CLIENT_MESSAGE_CODECS).join(', ')}`,
      details: [],
    };
  }
  const unbounded = unboundedField(json, '');
  if (unbounded) return { ok: false, code: 'invalid_shape', error: `invalid "${type}" message: ${unbounded}`, details: [unbounded] };
  const decoded = decodeWith(codec, json, `"${type as ClientMessageType}" message`) as Decoded<ClientMessage>;
  if (!decoded.ok) decoded.details = decoded.details.map((d) => (d.length > MAX_DETAIL ? `${d.slice(0, MAX_DETAIL)}...` : d));
  return decoded;
}

/** Validates one log event (from a recording file or the socket). */
export function decodeLogEvent(input: unknown): Decoded<LogEvent> {
  const type = (input as { event_type?: unknown } | null)?.event_type;
  const codec = typeof type === 'string' ? (EVENT_CODECS as Record<string, t.Mixed>)[type] : undefined;
  if (!codec) return { ok: false, code: 'unknown_event_type', error: `unknown event_type ${JSON.stringify(type)}`, details: [] };
  return decodeWith(codec, input, `${type as EventType} event`) as Decoded<LogEvent>;
}
