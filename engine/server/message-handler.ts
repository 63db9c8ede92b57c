import { decodeClientMessage, formatTimestamp, type BotStatus, type ClientMessage, type LogEvent } from '../../protocol/index.ts';
import type { BotController, CommandOutcome } from '../live/bot-controller.ts';
import type { Broadcaster } from './broadcaster.ts';
import type { ClientChannel } from './client-channel.ts';
import { listRecordings, readRecording, recordingPath } from './recordings.ts';
import { statSync } from 'node:fs';
import type { ServerMetrics } from './server-metrics.ts';

export interface HandlerContext {
  readonly bot: BotController;
  readonly broadcaster: Broadcaster;
  readonly metrics: ServerMetrics;
  readonly recordingsDir: string;
  /** Session id for COMMAND events when the bot reports none. */
  readonly serverSessionId: string;
  /** Server log; gets codes and ids only, never client text (it could hold anything). */
  readonly log?: (line: string) => void;
}

// Refused messages logged per connection; the rest only count in /metrics.
const LOGGED_REFUSALS = 5;
const refusals = new WeakMap<ClientChannel, number>();

type RequestId = string | number | undefined;
// A whole recording travels as one message; past this size, HTTP streams it instead.
const MAX_RECORDING_BYTES = 32 * 1024 * 1024;
// Only these fields of a command go into the audit log: never echo arbitrary client input.
const PARAM_KEYS = ['symbol', 'ticket', 'timeframe', 'from', 'to', 'strategy', 'balance', 'name'] as const;

function requestIdOf(raw: string): RequestId {
  // Best effort, so that even an invalid message's error can be matched to its request.
  const m = /"request_id"\s*:\s*("(?:[^"\\]{0,64})"|-?\d{1,15})/.exec(raw.slice(0, 4096));
  if (!m) return undefined;
  return m[1].startsWith('"') ? m[1].slice(1, -1) : Number(m[1]);
}

/** Answers one text message of one client. Never throws: every failure becomes a reply. */
export async function handleClientMessage(ctx: HandlerContext, channel: ClientChannel, raw: string): Promise<void> {
  const decoded = decodeClientMessage(raw);
  if (!decoded.ok) {
    ctx.metrics.refuse(decoded.code);
    const n = (refusals.get(channel) ?? 0) + 1;
    refusals.set(channel, n);
    if (n <= LOGGED_REFUSALS) ctx.log?.(`connection ${channel.id}: refused a message (${decoded.code})${n === LOGGED_REFUSALS ? '; further refusals only counted' : ''}`);
    const request_id = requestIdOf(raw);
    channel.sendJson({ type: 'error', code: decoded.code, error: decoded.error, details: decoded.details, ...(request_id !== undefined ? { request_id } : {}) });
    return;
  }
  const message = decoded.value;
  const rid = message.request_id !== undefined ? { request_id: message.request_id } : {};
  switch (message.type) {
    case 'ping':
      return channel.sendJson({ type: 'pong', ...rid });
    case 'request_status':
      return channel.sendJson({ type: 'status', ...statusWithJournal(ctx.bot, ctx.broadcaster), last_seq: ctx.broadcaster.lastSeq, ...rid });
    case 'resume':
      return resume(ctx, channel, message.last_seq, rid);
    default: {
      let outcome: CommandOutcome;
      try {
        outcome = await runCommand(ctx, message);
      } catch (err) {
        outcome = { ok: false, reason: `failed: ${(err as Error).message}` };
      }
      audit(ctx, channel.id, message, outcome);
      channel.sendJson({ type: 'command_result', command: message.type, ok: outcome.ok, reason: outcome.reason, ...rid, ...(outcome.data !== undefined ? { data: outcome.data } : {}) });
    }
  }
}

/** The bot's status, with the journal's failure as its `error` while the journal cannot write. */
export function statusWithJournal(bot: BotController, broadcaster: Broadcaster): BotStatus {
  const status = bot.status();
  const journal = broadcaster.health.describe();
  return journal === null ? status : { ...status, error: journal };
}

function runCommand(ctx: HandlerContext, m: ClientMessage): CommandOutcome | Promise<CommandOutcome> {
  switch (m.type) {
    case 'start_bot':
      return ctx.bot.start();
    case 'stop_bot':
      return ctx.bot.stop();
    case 'pause_symbol':
      return ctx.bot.pauseSymbol(m.symbol);
    case 'resume_symbol':
      return ctx.bot.resumeSymbol(m.symbol);
    case 'close_position':
      return ctx.bot.closePosition(m.symbol, m.ticket);
    case 'run_backtest':
      return ctx.bot.runBacktest({ symbol: m.symbol, timeframe: m.timeframe, from: m.from, to: m.to, strategy: m.strategy, balance: m.balance });
    case 'list_recordings': {
      const recordings = listRecordings(ctx.recordingsDir);
      return { ok: true, reason: `${recordings.length} recording(s)`, data: { recordings } };
    }
    case 'get_recording': {
      const name = m.name;
      const size = recordingSize(ctx.recordingsDir, name);
      if (size !== null && size > MAX_RECORDING_BYTES) {
        return { ok: false, reason: `${name} is ${Math.round(size / 1e6)} MB, too large for one message; fetch GET /recordings/${name}` };
      }
      const content = readRecording(ctx.recordingsDir, name);
      if (!content) return { ok: false, reason: `no recording named ${JSON.stringify(name.slice(0, 200))}` };
      return { ok: true, reason: `${content.events.length} event(s)${content.errors.length ? `, ${content.errors.length} bad line(s)` : ''}`, data: content };
    }
    default:
      return { ok: false, reason: `${m.type} is not a command` };
  }
}

/** Every command, done or refused, goes into the event log: who, what, when. */
function audit(ctx: HandlerContext, connectionId: string, message: ClientMessage, outcome: CommandOutcome): void {
  const params: Record<string, unknown> = {};
  for (const key of PARAM_KEYS) {
    const value = (message as Record<string, unknown>)[key];
    if (value !== undefined) params[key] = value;
  }
  const symbol = typeof params.symbol === 'string' ? { symbol: params.symbol } : {};
  const event: LogEvent = {
    timestamp: formatTimestamp(Date.now()),
    session_id: ctx.bot.status().session_id ?? ctx.serverSessionId,
    event_type: 'COMMAND',
    level: 'INFO',
    data: { command: message.type, connection_id: connectionId, ok: outcome.ok, reason: outcome.reason, params, ...symbol },
  };
  ctx.broadcaster.publish(event);
}

function resume(ctx: HandlerContext, channel: ClientChannel, lastSeq: number, rid: { request_id?: string | number }): void {
  const plan = ctx.broadcaster.planResume(lastSeq);
  const first = plan.firstAvailableSeq;
  const reason = plan.gap
    ? `events ${lastSeq + 1}..${first === null ? ctx.broadcaster.lastSeq : first - 1} are no longer held; replaying the ${plan.entries.length} still held`
    : `replaying ${plan.entries.length} event(s)`;
  channel.sendJson({
    type: 'resume_result',
    ok: !plan.gap,
    from_seq: lastSeq + 1,
    replayed: plan.entries.length,
    gap: plan.gap,
    reason,
    ...(first !== null ? { first_available_seq: first } : {}),
    ...rid,
  });
  for (const entry of plan.entries) channel.send(entry.frame);
}

function recordingSize(dir: string, name: string): number | null {
  const path = recordingPath(dir, name);
  return path === null ? null : statSync(path).size;
}
