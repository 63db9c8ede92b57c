import { decodeClientMessage, formatTimestamp, type BotStatus, type ClientMessage, type LogEvent } from '../../protocol/index.ts';
import type { BotController, CommandOutcome } from '../live/bot-controller.ts';
import type { Broadcaster } from './broadcaster.ts';
import type { ClientChannel } from './client-channel.ts';
import { listRecordings, loadRecording, recordingHeadProblem } from './recordings.ts';
import { readBacktestEnds, withBacktestSummaries } from './backtest-recordings.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { OptimisationService } from './optimisation-service.ts';

export interface HandlerContext {
  readonly bot: BotController;
  readonly broadcaster: Broadcaster;
  readonly metrics: ServerMetrics;
  readonly recordingsDir: string;
  /** Session id for COMMAND events when the bot reports none. */
  readonly serverSessionId: string;
  /** Server log; gets codes and ids only, never client text (it could hold anything). */
  readonly log?: (line: string) => void;
  /** Optimisations from the workbench; absent, those commands are refused. */
  readonly optimisations?: OptimisationService;
}

// Refused messages logged per connection; the rest only count in /metrics.
const LOGGED_REFUSALS = 5;
const refusals = new WeakMap<ClientChannel, number>();

type RequestId = string | number | undefined;
// A whole recording travels as one message; past this size, HTTP streams it instead. Below the
// per-client send budget (sendQueue.maxBytes) so the reply itself cannot get a reader dropped.
export const MAX_RECORDING_BYTES = 16 * 1024 * 1024;
// Recordings being read at once, server-wide: each holds its lines in memory until sent.
const MAX_RECORDING_LOADS = 2;
let recordingLoads = 0;
// Only these fields of a command go into the audit log: never echo arbitrary client input.
const PARAM_KEYS = ['symbol', 'ticket', 'timeframe', 'from', 'to', 'strategy', 'balance', 'model', 'name', 'optimisation_id', 'trial_id', 'method', 'objective'] as const;

export function requestIdOf(raw: string): RequestId {
  // Best effort, so that even an invalid message's error can be matched to its request.
  try {
    const id = (JSON.parse(raw) as { request_id?: unknown } | null)?.request_id;
    if ((typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isFinite(id))) return id;
    if (id !== undefined) return undefined;
  } catch {
    /* not JSON: look for it in the text */
  }
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
    case 'backtest_options': {
      // A question, not a command: answered, not audited.
      const outcome = ctx.bot.backtestOptions?.() ?? { ok: false, reason: 'this server runs no backtests' };
      return channel.sendJson({ type: 'command_result', command: 'backtest_options', ok: outcome.ok, reason: outcome.reason, ...rid, ...(outcome.data !== undefined ? { data: outcome.data } : {}) });
    }
    case 'get_recording':
      return getRecording(ctx, channel, message.name, rid);
    default: {
      let outcome: CommandOutcome;
      try {
        outcome = await runCommand(ctx, message);
      } catch (err) {
        outcome = { ok: false, reason: `failed: ${(err as Error).message}` };
      }
      // Questions (reading recordings or optimisations) are answered, not audited: the log is of
      // what was done. A client asking in a loop would otherwise write the journal, the recording
      // and every client's feed at its rate limit (100 clients: 58,748 COMMAND events in 8 s).
      if (!QUESTIONS.has(message.type)) audit(ctx, channel.id, message, outcome);
      channel.sendJson({ type: 'command_result', command: message.type, ok: outcome.ok, reason: outcome.reason, ...rid, ...(outcome.data !== undefined ? { data: outcome.data } : {}) });
    }
  }
}

/** Messages that read and change nothing: answered by `command_result`, not logged as COMMAND events. */
const QUESTIONS: ReadonlySet<string> = new Set(['list_recordings', 'get_backtest', 'list_optimisations', 'get_optimisation']);

/** The bot's status, with the journal's failure as its `error` while the journal cannot write. */
export function statusWithJournal(bot: BotController, broadcaster: Broadcaster): BotStatus {
  const status = bot.status();
  const journal = broadcaster.health.describe();
  return journal === null ? status : { ...status, error: journal };
}

/** Symbols the bot trades, when it says (a symbol command naming another is refused here). */
function configuredSymbols(ctx: HandlerContext): string[] | null {
  const symbols = ctx.bot.status().symbols;
  return symbols ? symbols.map((s) => s.symbol) : null;
}

const NO_OPTIMISER: CommandOutcome = { ok: false, reason: 'this server runs no optimisations' };

function runCommand(ctx: HandlerContext, m: ClientMessage): CommandOutcome | Promise<CommandOutcome> {
  if (m.type === 'pause_symbol' || m.type === 'resume_symbol' || m.type === 'close_position') {
    const known = configuredSymbols(ctx);
    if (known && !known.includes(m.symbol)) return { ok: false, reason: `unknown symbol ${JSON.stringify(m.symbol.slice(0, 32))}; trading ${known.join(', ')}` };
  }
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
      return ctx.bot.runBacktest({ symbol: m.symbol, timeframe: m.timeframe, from: m.from, to: m.to, strategy: m.strategy, balance: m.balance, params: m.params, model: m.model });
    case 'start_optimisation':
      return ctx.optimisations?.start(m) ?? NO_OPTIMISER;
    case 'cancel_optimisation':
      return ctx.optimisations?.cancel(m.optimisation_id) ?? NO_OPTIMISER;
    case 'list_optimisations':
      return ctx.optimisations?.list() ?? NO_OPTIMISER;
    case 'get_optimisation':
      return ctx.optimisations?.get(m.name) ?? NO_OPTIMISER;
    case 'run_trial_backtest':
      return ctx.optimisations?.runTrialBacktest(m.optimisation_id, m.trial_id) ?? NO_OPTIMISER;
    case 'list_recordings': {
      // A backtest recording also says what it ran and how it ended (`backtest`), for a list of past runs.
      const recordings = withBacktestSummaries(ctx.recordingsDir, listRecordings(ctx.recordingsDir));
      return { ok: true, reason: `${recordings.length} recording(s)`, data: { recordings } };
    }
    case 'get_backtest': {
      const ends = readBacktestEnds(ctx.recordingsDir, m.name);
      if (!ends) {
        // An empty file, or one an editor gave two byte-order marks, is not "no recording": say what it is.
        const problem = recordingHeadProblem(ctx.recordingsDir, m.name);
        return { ok: false, reason: problem ? `recording ${JSON.stringify(m.name)} ${problem}` : `no backtest recording named ${JSON.stringify(m.name.slice(0, 200))}` };
      }
      return { ok: true, reason: ends.complete ? 'complete' : 'did not finish', data: { name: m.name, start: ends.start, complete: ends.complete } };
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
  // Strings are bounded by the decoder; a symbol is also cut to a symbol's length here.
  if (typeof params.symbol === 'string') params.symbol = params.symbol.slice(0, 32);
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
  if (plan.ahead) {
    // Answering "ok, 0 replayed" here would make a client drop every new event until our seq
    // passed its own; it must hear that its numbering is not ours.
    return channel.sendJson({
      type: 'resume_result',
      ok: false,
      from_seq: lastSeq + 1,
      replayed: 0,
      gap: true,
      reset: true,
      last_seq: ctx.broadcaster.lastSeq,
      reason: `seq ${lastSeq} is beyond this server's last seq ${ctx.broadcaster.lastSeq} (it numbers afresh or was rolled back): forget the events folded so far and resume from 0`,
      ...(first !== null ? { first_available_seq: first } : {}),
      ...rid,
    });
  }
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
  channel.sendReplay(plan.entries.map((entry) => entry.frame));
}

/**
 * `get_recording`: the file is read line by line without blocking the event loop, and its
 * valid lines go into the reply as stored (no decode-and-serialise of megabytes in one tick).
 */
async function getRecording(ctx: HandlerContext, channel: ClientChannel, name: string, rid: { request_id?: string | number }): Promise<void> {
  const message = { type: 'get_recording', name, ...rid } as ClientMessage;
  const reply = (outcome: CommandOutcome) => {
    audit(ctx, channel.id, message, outcome);
    channel.sendJson({ type: 'command_result', command: 'get_recording', ok: outcome.ok, reason: outcome.reason, ...rid });
  };
  if (recordingLoads >= MAX_RECORDING_LOADS) return reply({ ok: false, reason: 'other recordings are being read; try again shortly' });
  recordingLoads++;
  let loaded;
  try {
    loaded = await loadRecording(ctx.recordingsDir, name, MAX_RECORDING_BYTES);
  } finally {
    recordingLoads--;
  }
  if (loaded === null) return reply({ ok: false, reason: `no recording named ${JSON.stringify(name.slice(0, 200))}` });
  if ('tooLarge' in loaded) {
    return reply({ ok: false, reason: `${name} is ${Math.round(loaded.tooLarge / 1e6)} MB, too large for one message (at most ${MAX_RECORDING_BYTES / 1024 / 1024} MiB); fetch GET /recordings/${name}` });
  }
  const reason = `${loaded.lines.length} event(s)${loaded.errors.length ? `, ${loaded.errors.length} bad line(s)` : ''}`;
  audit(ctx, channel.id, message, { ok: true, reason });
  // The same bytes JSON.stringify would give, built around the stored event lines.
  const head = JSON.stringify({ type: 'command_result', command: 'get_recording', ok: true, reason, ...rid }).slice(0, -1);
  const body = `${head},"data":{"name":${JSON.stringify(name)},"events":[${loaded.lines.join(',')}],"errors":${JSON.stringify(loaded.errors)}}}`;
  channel.send({ data: Buffer.from(body), sheddable: false });
}
