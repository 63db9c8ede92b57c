// Load benchmark for the monitoring server (a benchmark, not a test: it prints, never asserts).
// 100 ws clients on loopback, in a worker thread so that receiving does not share the
// server's thread. Compares events/s delivered by our Broadcaster with a bare `ws` broadcast
// of the same messages in the same run, then measures p99 latency at 10,000 events/s.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Subject } from 'rxjs/internal/Subject';
import { WebSocketServer } from 'ws';
import { formatTimestamp, type LogEvent } from '../../protocol/index.ts';
import { DEFAULT_SERVER_SETTINGS } from '../../engine/config/defaults.ts';
import { startMonitorServer } from '../../engine/server/monitor-server.ts';
import { FakeBot } from '../kit/fake-bot.ts';
import { Journal } from '../../engine/journal/journal.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLIENTS = 100;
const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
// Latency is measured on its own, with few clients: 10,000 events/s to 100 clients is a
// million socket writes a second, beyond one Node thread on most machines.
const LATENCY_CLIENTS = (process.env.BENCH_LATENCY_CLIENTS ?? '1,10').split(',').map(Number);
const BATCH = 100;
// The producer stays at most this many events ahead of the slowest client, for both servers:
// an unpaced producer only measures how fast memory fills (and would trip our slow-consumer cut).
const WINDOW = 2_000;
const RATE = 10_000;
const LATENCY_SECONDS = 3;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { performance } = require('node:perf_hooks');
const now = () => performance.timeOrigin + performance.now();
const sockets = [];
let counts = [], target = 0, mode = 'idle', latencies = [], doneSent = false, reported = 0;
function check() {
  if (doneSent || mode !== 'count') return;
  for (const c of counts) if (c < target) return;
  doneSent = true;
  parentPort.postMessage({ type: 'done', at: now() });
}
let opened = 0;
for (let i = 0; i < workerData.clients; i++) {
  const ws = new WebSocket(workerData.url);
  const index = i;
  ws.on('open', () => { if (++opened === workerData.clients) parentPort.postMessage({ type: 'ready' }); });
  ws.on('message', (data) => {
    if (mode === 'count') {
      const c = ++counts[index];
      if (c % 250 === 0) { let min = Infinity; for (const x of counts) if (x < min) min = x; if (min > reported) { reported = min; parentPort.postMessage({ type: 'progress', min }); } }
      if (c === target) check();
    }
    else if (mode === 'latency') {
      const text = data.toString();
      const m = /"time":"(\\d+\\.?\\d*)"/.exec(text);
      if (m) latencies.push(now() - Number(m[1]));
    }
  });
  sockets.push(ws);
}
parentPort.on('message', (msg) => {
  if (msg.type === 'count') { mode = 'count'; reported = 0; target = msg.n; counts = new Array(workerData.clients).fill(0); doneSent = false; parentPort.postMessage({ type: 'armed' }); }
  if (msg.type === 'latency') { mode = 'latency'; latencies = []; parentPort.postMessage({ type: 'armed' }); }
  if (msg.type === 'report') { parentPort.postMessage({ type: 'latencies', values: latencies }); }
  if (msg.type === 'close') { for (const ws of sockets) ws.terminate(); parentPort.postMessage({ type: 'closed' }); }
});
`;

function event(i: number, sentAt?: number): LogEvent {
  return {
    timestamp: formatTimestamp(Date.now()),
    session_id: 'bench-0000-4000-8000-000000000000',
    event_type: 'PERFORMANCE',
    level: 'INFO',
    data: {
      total_trades: i, win_rate: 0.55, total_profit: 1234.5, max_drawdown: 0.07,
      weekly_target: { min_trades: 3, max_trades: 10, current_trades: 4 },
      ...(sentAt !== undefined ? { time: String(sentAt) } : {}),
    },
  };
}

async function startClients(url: string, clients = CLIENTS): Promise<Worker> {
  const wsPath = createRequire(import.meta.url).resolve('ws');
  const worker = new Worker(WORKER, { eval: true, workerData: { url, clients, wsPath } });
  await waitFor(worker, 'ready');
  return worker;
}

function waitFor(worker: Worker, type: string): Promise<any> {
  return new Promise((resolve) => {
    const on = (msg: { type: string }) => {
      if (msg.type === type) {
        worker.off('message', on);
        resolve(msg);
      }
    };
    worker.on('message', on);
  });
}

const yieldTick = () => new Promise((r) => setImmediate(r));
const now = () => performance.timeOrigin + performance.now();

/** Publishes `n` events in batches, returns delivered events/s over all clients. */
async function throughput(worker: Worker, publish: (e: LogEvent) => void): Promise<number> {
  worker.postMessage({ type: 'count', n: THROUGHPUT_EVENTS });
  await waitFor(worker, 'armed');
  const done = waitFor(worker, 'done');
  let delivered = 0;
  let wake: (() => void) | null = null;
  const onProgress = (msg: { type: string; min: number }) => {
    if (msg.type !== 'progress') return;
    delivered = msg.min;
    wake?.();
  };
  worker.on('message', onProgress);
  const start = now();
  for (let i = 0; i < THROUGHPUT_EVENTS; i += BATCH) {
    for (let j = 0; j < BATCH; j++) publish(event(i + j));
    while (i + BATCH - delivered > WINDOW) await new Promise<void>((r) => (wake = r));
    await yieldTick();
  }
  worker.off('message', onProgress);
  const { at } = await done;
  return (THROUGHPUT_EVENTS * CLIENTS) / ((at - start) / 1000);
}

/** Publishes at RATE events/s for LATENCY_SECONDS; returns p50/p99 latency in ms. */
async function latency(worker: Worker, publish: (e: LogEvent) => void): Promise<{ p50: number; p99: number; samples: number }> {
  worker.postMessage({ type: 'latency' });
  await waitFor(worker, 'armed');
  const perTick = RATE / 100; // every 10 ms
  const start = now();
  let sent = 0;
  while (now() - start < LATENCY_SECONDS * 1000) {
    const due = Math.floor(((now() - start) / 1000) * RATE);
    while (sent < due) publish(event(sent++, now()));
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  worker.postMessage({ type: 'report' });
  const { values } = (await waitFor(worker, 'latencies')) as { values: number[] };
  values.sort((a, b) => a - b);
  void perTick;
  return { p50: values[Math.floor(values.length * 0.5)] ?? NaN, p99: values[Math.floor(values.length * 0.99)] ?? NaN, samples: values.length };
}

export async function main(): Promise<void> {
  // Ours: the real server and Broadcaster (no journal: this measures the fan-out).
  const bot = new FakeBot();
  const server = await startMonitorServer({
    settings: { ...DEFAULT_SERVER_SETTINGS, port: 0, rateLimit: { ...DEFAULT_SERVER_SETTINGS.rateLimit }, uiDir: '/nonexistent' },
    bot,
    recordingsDir: '/nonexistent',
    log: () => undefined,
  });
  const oursWorker = await startClients(`ws://127.0.0.1:${server.port}/ws`);
  const events$ = bot.events$ as Subject<LogEvent>;
  const publishOurs = (e: LogEvent) => events$.next(e);

  // Ours with the journal in the pipeline, as `npm start` runs it (a SQLite commit per event).
  const journalDir = mkdtempSync(join(tmpdir(), 'tradeloom-bench-'));
  const journal = Journal.open(join(journalDir, 'journal.sqlite'));
  const journaledBot = new FakeBot();
  const journaled = await startMonitorServer({
    settings: { ...DEFAULT_SERVER_SETTINGS, port: 0, uiDir: '/nonexistent' },
    bot: journaledBot,
    sinks: [journal],
    recordingsDir: '/nonexistent',
    log: () => undefined,
  });
  const journaledWorker = await startClients(`ws://127.0.0.1:${journaled.port}/ws`);
  const publishJournaled = (e: LogEvent) => (journaledBot.events$ as Subject<LogEvent>).next(e);

  // Bare ws: stringify once, send to every client.
  const bare = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(bare, 'listening');
  const bareWorker = await startClients(`ws://127.0.0.1:${(bare.address() as AddressInfo).port}`);
  let bareSeq = 0;
  const publishBare = (e: LogEvent) => {
    const text = JSON.stringify({ ...e, seq: ++bareSeq });
    for (const ws of bare.clients) ws.send(text);
  };

  // Warm up both paths, then alternate so neither gets the cooler machine.
  await throughput(oursWorker, publishOurs);
  await throughput(bareWorker, publishBare);
  const ours: number[] = [];
  const bareRates: number[] = [];
  const journaledRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    ours.push(await throughput(oursWorker, publishOurs));
    bareRates.push(await throughput(bareWorker, publishBare));
    journaledRates.push(await throughput(journaledWorker, publishJournaled));
  }
  const best = (xs: number[]) => Math.max(...xs);
  const oursBest = best(ours);
  const bareBest = best(bareRates);
  for (const w of [oursWorker, bareWorker, journaledWorker]) {
    w.postMessage({ type: 'close' });
    await waitFor(w, 'closed');
    await w.terminate();
  }
  const latencies: string[] = [];
  for (const clients of LATENCY_CLIENTS) {
    const oursFew = await startClients(`ws://127.0.0.1:${server.port}/ws`, clients);
    const lat = await latency(oursFew, publishOurs);
    const bareFew = await startClients(`ws://127.0.0.1:${(bare.address() as AddressInfo).port}`, clients);
    const latBare = await latency(bareFew, publishBare);
    latencies.push(`  latency at ${RATE.toLocaleString('en-US')} events/s for ${LATENCY_SECONDS} s, ${clients} client(s): Broadcaster p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms; bare ws p50 ${latBare.p50.toFixed(2)} ms, p99 ${latBare.p99.toFixed(2)} ms (${lat.samples.toLocaleString('en-US')} samples)`);
    for (const w of [oursFew, bareFew]) {
      w.postMessage({ type: 'close' });
      await waitFor(w, 'closed');
      await w.terminate();
    }
  }

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`server-load: ${CLIENTS} clients on loopback, ${THROUGHPUT_EVENTS.toLocaleString('en-US')} events per round, best of 3`);
  console.log(`  Broadcaster   ${fmt(oursBest)} deliveries/s (${fmt(oursBest / CLIENTS)} events/s to each client)`);
  console.log(`  bare ws       ${fmt(bareBest)} deliveries/s (${fmt(bareBest / CLIENTS)} events/s to each client)`);
  console.log(`  ratio         ${(oursBest / bareBest).toFixed(2)} (target >= 0.80)`);
  const journaledBest = best(journaledRates);
  console.log(`  + journal     ${fmt(journaledBest)} deliveries/s (${fmt(journaledBest / CLIENTS)} events/s journaled and sent to each client), ratio to bare ${(journaledBest / bareBest).toFixed(2)}`);
  for (const line of latencies) console.log(line);
  console.log(`  dropped: ${server.metrics.shedTotal} shed, ${server.metrics.slowConsumersTotal} slow consumers`);

  await server.close();
  await journaled.close();
  journal.close();
  rmSync(journalDir, { recursive: true, force: true });
  await new Promise((r) => bare.close(r));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
