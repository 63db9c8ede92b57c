import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTimestamp } from '../../protocol/index.ts';
import { weekStartOf } from '../../engine/time/trading-week.ts';
import { TestClient, type Json } from '../kit/server-kit.ts';
import { readJournal, recordedEvents, seqProblems, startServerProcess } from '../kit/server-process.ts';

// `npm run chaos`: kill -9 the paper bot at random moments, N times, then check that the
// journal and the recordings agree and nothing was lost: no seq missing or twice, every closed
// trade once, the balance running on from exit to exit, the weekly count and the open
// positions carried over every restart.

export interface ChaosOptions {
  readonly rounds: number;
  readonly speed: number;
  readonly dataDir: string;
  /** Random delay before each kill, after the server listens (ms). */
  readonly minKillMs: number;
  readonly maxKillMs: number;
  readonly seed: number;
  readonly log: (line: string) => void;
}

export interface ChaosReport {
  readonly rounds: number;
  readonly lastSeq: number;
  readonly recordedEvents: number;
  readonly missingSeqs: number[];
  readonly duplicatedSeqs: number[];
  readonly closedTrades: number;
  readonly openPositions: number;
  /** Closed trades a client saw that the journal lacks (must be 0). */
  readonly lostTrades: number;
  /** Exits of one position recorded more than once (must be 0). */
  readonly duplicatedTrades: number;
  /** Exits whose balance_after is not the previous exit's plus this pnl (must be 0). */
  readonly balanceBreaks: string[];
  /** Entries whose trades_this_week does not follow the previous entry's (must be 0). */
  readonly weeklyCountBreaks: string[];
  /** Entries on a symbol whose previous position never closed (a lost open position; must be 0). */
  readonly positionBreaks: string[];
  /** Restarts that appended journaled events the recordings missed. */
  readonly recordingCatchUps: number;
  readonly ok: boolean;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const config = join(o.dataDir, '..', `chaos-${process.pid}.json`);
  writeFileSync(config, JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD' }], speed: o.speed } }));
  const args = ['--port', '0', '--data-dir', o.dataDir, '--config', config];
  const next = random(o.seed);
  const seenExits: Json[] = [];
  let catchUps = 0;
  for (let round = 1; round <= o.rounds; round++) {
    const server = startServerProcess(args);
    const url = await server.listening;
    const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
    await new Promise((r) => setTimeout(r, o.minKillMs + next() * (o.maxKillMs - o.minKillMs)));
    server.child.kill('SIGKILL');
    await server.exit;
    await client.closed;
    if (/recordings caught up/.test(server.stderr())) catchUps++;
    seenExits.push(...client.received.filter((m) => m.event_type === 'TRADE_EXIT'));
    const seen = client.received.filter((m) => m.seq !== undefined).length;
    o.log(`round ${round}/${o.rounds}: killed after ${seen} event(s) seen, journal at seq ${readJournal(o.dataDir).lastSeq}`);
  }
  // A last clean start (catches the recordings up) and stop.
  const last = startServerProcess(args);
  await last.listening;
  last.child.kill('SIGTERM');
  const code = await last.exit;
  if (code !== 0) throw new Error(`the last clean stop exited ${code}: ${last.stderr()}`);
  if (/recordings caught up/.test(last.stderr())) catchUps++;
  return check(o, seenExits, catchUps);
}

function check(o: ChaosOptions, seenExits: readonly Json[], catchUps: number): ChaosReport {
  const journal = readJournal(o.dataDir);
  const events = recordedEvents(o.dataDir);
  const { missing, duplicated } = seqProblems(events.map((e) => e.seq), journal.lastSeq);
  const journaledExits = new Map(journal.closed.map((t) => [t.positionId, t]));
  const lost = seenExits.filter((e) => journaledExits.get(e.data.position_id)?.exitSeq !== e.seq).length;
  const exits = events.filter((e) => e.event_type === 'TRADE_EXIT');
  const duplicatedTrades = exits.length - new Set(exits.map((e) => e.data.position_id)).size;
  const balanceBreaks: string[] = [];
  for (let i = 1; i < exits.length; i++) {
    const expected = Math.round((exits[i - 1].data.balance_after + exits[i].data.pnl) * 100);
    // pnl and balance_after are each rounded to cents for display: one cent either way is rounding.
    if (Math.abs(expected - Math.round(exits[i].data.balance_after * 100)) > 1) {
      balanceBreaks.push(`seq ${exits[i].seq}: ${exits[i - 1].data.balance_after} + ${exits[i].data.pnl} != ${exits[i].data.balance_after}`);
    }
  }
  const weeklyCountBreaks: string[] = [];
  const positionBreaks: string[] = [];
  const open = new Map<string, number>();
  let previous: Json | null = null;
  for (const e of events) {
    if (e.event_type === 'TRADE_EXIT') {
      if (open.get(e.data.symbol) !== e.data.position_id) positionBreaks.push(`seq ${e.seq}: exit of #${e.data.position_id} on ${e.data.symbol}, open was #${open.get(e.data.symbol)}`);
      open.delete(e.data.symbol);
    }
    if (e.event_type !== 'TRADE_ENTRY') continue;
    if (open.has(e.data.symbol)) positionBreaks.push(`seq ${e.seq}: entry #${e.data.position_id} on ${e.data.symbol} while #${open.get(e.data.symbol)} was open`);
    open.set(e.data.symbol, e.data.position_id);
    const week = weekStartOf(parseTimestamp(e.data.time ?? e.timestamp));
    if (previous !== null) {
      const sameWeek = weekStartOf(parseTimestamp(previous.data.time ?? previous.timestamp)) === week;
      const expected = sameWeek ? previous.data.trades_this_week + 1 : 1;
      if (e.data.trades_this_week !== expected) weeklyCountBreaks.push(`seq ${e.seq}: trades_this_week ${e.data.trades_this_week}, expected ${expected}`);
    }
    previous = e;
  }
  const stillOpen = [...open.values()].sort();
  const journalOpen = journal.openPositions.map((p) => p.positionId).sort();
  if (JSON.stringify(stillOpen) !== JSON.stringify(journalOpen)) positionBreaks.push(`open at the end: recordings ${stillOpen}, journal ${journalOpen}`);
  const report = {
    rounds: o.rounds, lastSeq: journal.lastSeq, recordedEvents: events.length, missingSeqs: missing, duplicatedSeqs: duplicated,
    closedTrades: journal.closed.length, openPositions: journal.openPositions.length, lostTrades: lost, duplicatedTrades,
    balanceBreaks, weeklyCountBreaks, positionBreaks, recordingCatchUps: catchUps,
  };
  const ok = missing.length + duplicated.length + lost + duplicatedTrades + balanceBreaks.length + weeklyCountBreaks.length + positionBreaks.length === 0 && journal.closed.length === exits.length;
  return { ...report, ok };
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function main(argv: readonly string[]): Promise<number> {
  const rounds = Number(flag(argv, '--rounds') ?? 25);
  const speed = Number(flag(argv, '--speed') ?? 400);
  const seed = Number(flag(argv, '--seed') ?? Date.now() % 1e9);
  if (!(Number.isInteger(rounds) && rounds > 0) || !(speed > 0) || !Number.isFinite(seed)) {
    process.stderr.write('usage: npm run chaos -- [--rounds N] [--speed BARS_PER_S] [--seed N] [--data-dir DIR]\n');
    return 2;
  }
  const dataDir = resolve(flag(argv, '--data-dir') ?? join(mkdtempSync(join(tmpdir(), 'tradeloom-chaos-')), 'data'));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`chaos: ${rounds} round(s) of kill -9 on a paper replay at ${speed} bars/s, seed ${seed}, data dir ${dataDir}`);
  const r = await runChaos({ rounds, speed, dataDir, minKillMs: 300, maxKillMs: 3000, seed, log });
  log(`seq 1..${r.lastSeq}: ${r.missingSeqs.length} missing, ${r.duplicatedSeqs.length} duplicated (${r.recordedEvents} recorded events)`);
  log(`trades: ${r.closedTrades} closed, ${r.openPositions} open, ${r.lostTrades} lost, ${r.duplicatedTrades} duplicated`);
  log(`balance breaks: ${r.balanceBreaks.length}; weekly count breaks: ${r.weeklyCountBreaks.length}; open position breaks: ${r.positionBreaks.length}`);
  log(`restarts that caught the recordings up from the journal: ${r.recordingCatchUps}`);
  for (const line of [...r.balanceBreaks, ...r.weeklyCountBreaks, ...r.positionBreaks].slice(0, 20)) log(`  ${line}`);
  log(r.ok ? 'chaos: OK' : 'chaos: FAILED');
  return r.ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
    process.stderr.write(`chaos: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
