import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import * as t from 'io-ts';
import {
  CLIENT_MESSAGE_CODECS, EVENT_CODECS, SPEC_EVENT_TYPES, CommandResultCodec, ConnectionEstablishedCodec, PongCodec,
  ProtocolErrorCodec, ResumeResultCodec, StatusReplyCodec, OptimisationProgressCodec, OptimisationCompleteCodec,
} from '../../protocol/index.ts';

/**
 * Generates protocol/asyncapi.yaml from the protocol codecs, so the document cannot drift
 * from what the server accepts and sends. `npx tsx engine/cli/gen-asyncapi.ts` rewrites the
 * file; `--check` exits 1 when the committed file is stale.
 */
type Schema = Record<string, unknown>;

/** JSON Schema of an io-ts codec (the subset of codecs protocol/ uses). */
export function schemaOf(codec: t.Mixed): Schema {
  const c = codec as t.Mixed & { _tag?: string };
  switch (c._tag) {
    case 'StringType': return { type: 'string' };
    case 'NumberType': return { type: 'number' };
    case 'BooleanType': return { type: 'boolean' };
    case 'NullType': return { type: 'null' };
    case 'UnknownType': case 'AnyType': return {};
    case 'AnyDictionaryType': return { type: 'object' };
    case 'AnyArrayType': return { type: 'array' };
    case 'LiteralType': return { const: (c as unknown as t.LiteralType<string>).value };
    case 'KeyofType': return { type: 'string', enum: Object.keys((c as unknown as t.KeyofType<Record<string, unknown>>).keys) };
    case 'RefinementType': return { ...schemaOf((c as unknown as t.RefinementType<t.Mixed>).type), description: c.name };
    case 'ExactType': case 'ReadonlyType': return schemaOf((c as unknown as { type: t.Mixed }).type);
    case 'TupleType': {
      const items = (c as unknown as t.TupleType<t.Mixed[]>).types.map(schemaOf);
      return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    }
    case 'ArrayType': case 'ReadonlyArrayType': return { type: 'array', items: schemaOf((c as unknown as t.ArrayType<t.Mixed>).type) };
    case 'DictionaryType': return { type: 'object', additionalProperties: schemaOf((c as unknown as t.DictionaryType<t.Mixed, t.Mixed>).codomain) };
    case 'InterfaceType': case 'PartialType': {
      const props = (c as unknown as t.InterfaceType<t.Props>).props;
      const properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, schemaOf(v)]));
      return { type: 'object', properties, ...(c._tag === 'InterfaceType' && Object.keys(props).length ? { required: Object.keys(props) } : {}) };
    }
    case 'IntersectionType': return mergeAll((c as unknown as t.IntersectionType<t.Mixed[]>).types.map(schemaOf));
    case 'UnionType': {
      const members = (c as unknown as t.UnionType<t.Mixed[]>).types.map(schemaOf);
      return { anyOf: members };
    }
    default: throw new Error(`gen-asyncapi: no JSON Schema for codec ${c.name} (${c._tag})`);
  }
}

/** Flattens an intersection of objects into one object schema; anything else stays allOf. */
function mergeAll(parts: Schema[]): Schema {
  if (!parts.every((p) => p.type === 'object' && !('additionalProperties' in p))) return { allOf: parts };
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const p of parts) {
    Object.assign(properties, p.properties ?? {});
    required.push(...((p.required as string[]) ?? []));
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

const SERVER_MESSAGES: Record<string, [t.Mixed, string]> = {
  connection_established: [ConnectionEstablishedCodec, 'Sent once on connect: the connection id and the bot status.'],
  pong: [PongCodec, 'Reply to ping.'],
  status: [StatusReplyCodec, 'Reply to request_status: the bot status object.'],
  command_result: [CommandResultCodec, 'Reply to every manual command: done or not, and why not.'],
  resume_result: [ResumeResultCodec, 'Reply to resume; the replayed events follow it.'],
  error: [ProtocolErrorCodec, 'Malformed JSON, wrong shape, unknown type, rate limiting, slow consumer.'],
  optimisation_progress: [OptimisationProgressCodec, 'To every client while an optimisation runs: trials done of planned, pace, ETA and the rows finished since the last one.'],
  optimisation_complete: [OptimisationCompleteCodec, 'To every client when an optimisation ends (finished, cancelled or failed): the recording with PBO/DSR and walk-forward.'],
};

const REPLIES: Record<string, string> = { ping: 'pong', request_status: 'status', resume: 'resume_result' };

/** The AsyncAPI 3 document as plain data. */
export function asyncApiDocument(): Schema {
  const schemas: Schema = {};
  const messages: Schema = {};
  const channelMessages: Schema = {};
  const add = (name: string, codec: t.Mixed, summary: string) => {
    schemas[name] = schemaOf(codec);
    messages[name] = { name, summary, contentType: 'application/json', payload: { $ref: `#/components/schemas/${name}` } };
    channelMessages[name] = { $ref: `#/components/messages/${name}` };
  };
  for (const [name, codec] of Object.entries(CLIENT_MESSAGE_CODECS)) add(name, codec, `Client command "${name}".`);
  for (const [name, [codec, summary]] of Object.entries(SERVER_MESSAGES)) add(name, codec, summary);
  for (const [name, codec] of Object.entries(EVENT_CODECS)) {
    const spec = (SPEC_EVENT_TYPES as readonly string[]).includes(name);
    add(name, codec, `Log event ${name}${spec ? ' (spec)' : ' (engine extension, same envelope)'}; carries seq.`);
  }
  const ref = (name: string) => ({ $ref: `#/channels/monitor/messages/${name}` });
  const operations: Schema = {};
  for (const name of Object.keys(CLIENT_MESSAGE_CODECS)) {
    const reply = REPLIES[name] ?? 'command_result';
    operations[`receive_${name}`] = { action: 'receive', channel: { $ref: '#/channels/monitor' }, messages: [ref(name)], reply: { channel: { $ref: '#/channels/monitor' }, messages: [ref(reply), ref('error')] } };
  }
  operations.send_replies = { action: 'send', channel: { $ref: '#/channels/monitor' }, messages: Object.keys(SERVER_MESSAGES).map(ref) };
  operations.send_events = { action: 'send', channel: { $ref: '#/channels/monitor' }, messages: Object.keys(EVENT_CODECS).map(ref) };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'tradeloom monitoring API',
      version: '1.0.0',
      description: 'Generated from protocol/ by engine/cli/gen-asyncapi.ts; do not edit. See protocol/README.md for examples, close codes and rules.',
    },
    servers: { local: { host: 'localhost:8000', protocol: 'ws', pathname: '/ws', description: 'Loopback by default; a non-loopback bind requires a bearer token.' } },
    channels: { monitor: { address: '/ws', messages: channelMessages } },
    operations,
    components: { messages, schemas },
  };
}

/** A small YAML emitter: block style, strings quoted only when YAML would misread them. */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return value.map((v) => `\n${indent}- ${toYaml(v, `${indent}  `).replace(/^\n\s*/, '')}`).join('');
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return entries.map(([k, v]) => `\n${indent}${scalar(k)}:${block(v) ? '' : ' '}${toYaml(v, `${indent}  `)}`).join('');
  }
  return scalar(value);
}

function block(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function scalar(v: unknown): string {
  if (typeof v !== 'string') return JSON.stringify(v);
  return /^[A-Za-z_][\w.\-/ ]*$/.test(v) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(v) && !/\s$/.test(v) ? v : JSON.stringify(v);
}

export function generateAsyncApi(): string {
  return `# Generated by engine/cli/gen-asyncapi.ts from the protocol codecs. Do not edit.${toYaml(asyncApiDocument())}\n`;
}

export const ASYNCAPI_PATH = fileURLToPath(new URL('../../protocol/asyncapi.yaml', import.meta.url));

export function main(argv: readonly string[] = process.argv.slice(2)): number {
  const text = generateAsyncApi();
  if (argv.includes('--check')) {
    const current = (() => { try { return readFileSync(ASYNCAPI_PATH, 'utf8'); } catch { return ''; } })();
    if (current !== text) {
      process.stderr.write(`${ASYNCAPI_PATH} is stale: run npx tsx engine/cli/gen-asyncapi.ts\n`);
      return 1;
    }
    return 0;
  }
  writeFileSync(ASYNCAPI_PATH, text);
  process.stdout.write(`wrote ${ASYNCAPI_PATH}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])) process.exitCode = main();
