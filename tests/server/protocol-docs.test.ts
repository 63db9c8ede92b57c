import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { ASYNCAPI_PATH, asyncApiDocument, generateAsyncApi } from '../../engine/cli/gen-asyncapi.ts';
import { CLIENT_MESSAGE_TYPES, decodeClientMessage, decodeLogEvent, EVENT_TYPES, ServerMessageCodec } from '../../protocol/index.ts';

const SERVER_TYPES = ['connection_established', 'pong', 'status', 'command_result', 'resume_result', 'error'];

test('the committed protocol/asyncapi.yaml equals the one generated from the codecs', () => {
  assert.ok(readFileSync(ASYNCAPI_PATH, 'utf8') === generateAsyncApi(), 'stale: run npx tsx engine/cli/gen-asyncapi.ts');
});

test('the AsyncAPI document has a schema for every client message, reply and event type', () => {
  const schemas = (asyncApiDocument().components as { schemas: Record<string, unknown> }).schemas;
  for (const name of [...CLIENT_MESSAGE_TYPES, ...SERVER_TYPES, ...EVENT_TYPES]) assert.ok(schemas[name], name);
});

test('protocol/README.md has a valid example of every message and event', () => {
  const readme = readFileSync(new URL('../../protocol/README.md', import.meta.url), 'utf8');
  const examples = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  const seen = new Set<string>();
  for (const text of examples) {
    const json = JSON.parse(text);
    if (json.event_type) {
      const r = decodeLogEvent(json);
      assert.ok(r.ok, `${json.event_type}: ${r.ok ? '' : r.details.join('; ')}`);
      seen.add(json.event_type);
    } else if ((CLIENT_MESSAGE_TYPES as string[]).includes(json.type)) {
      const r = decodeClientMessage(text);
      assert.ok(r.ok, `${json.type}: ${r.ok ? '' : r.details.join('; ')}`);
      seen.add(json.type);
    } else {
      assert.ok(E.isRight(ServerMessageCodec.decode(json)), `server message ${json.type}`);
      seen.add(json.type);
    }
  }
  for (const name of [...CLIENT_MESSAGE_TYPES, ...SERVER_TYPES, ...EVENT_TYPES]) assert.ok(seen.has(name), `example of ${name}`);
});

test.run();
