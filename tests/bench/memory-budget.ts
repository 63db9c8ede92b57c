// What many WebSocket clients that never read make the server hold (a measurement, not a test:
// it prints, never asserts). The server runs in its own process (this file with --serve: the
// real monitor server over a FakeBot, on an ephemeral loopback port) so that its RSS is its
// own; this process opens real ws clients, reads `connection_established`, then stops reading
// (the socket is paused: TCP fills, then the server buffers), and drives two scenarios:
//
//   replies    each client asks for a 15 MB recording three times (one reply each, a Buffer of
//              its own per client): what nothing shares.
//   broadcast  30 MB of ERROR events (20 KB each, never shed) go to every client: one Buffer per
//              event, shared by all clients.
//
// Sampled in the server process: bytes waiting per client (send queue + ws.bufferedAmount,
// summed over open connections, read from the channels themselves so that it works on any
// commit), process.memoryUsage() after a gc, the peak RSS, closes by code, and the server's own
// /metrics lines about buffered bytes when it has them.
//
//   node --import tsx tests/bench/memory-budget.ts [clients=64] [scenario=replies|broadcast|both]
//   MEM_SETTINGS='{"sendQueue":{"totalBytes":268435456}}' to override server settings.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const SELF = fileURLToPath(import.meta.url);
const RECORDING = '20240115-103045_paper_big.jsonl';
const MB = 1024 * 1024;

interface Sample {
  readonly perClientBytes: number;
  /** Connections whose socket is not closed yet (those told to close and not yet gone among them). */
  readonly openChannels: number;
  readonly rss: number;
  readonly maxRss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly slowConsumers: number;
  readonly metricLines: string[];
}

// ---------------------------------------------------------------- the server process

async function serve(): Promise<void> {
  const { DEFAULT_SERVER_SETTINGS } = await import('../../engine/config/defaults.ts');
  const { startMonitorServer } = await import('../../engine/server/monitor-server.ts');
  const { Broadcaster } = await import('../../engine/server/broadcaster.ts');
  const { FakeBot } = await import('../kit/fake-bot.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-mem-'));
  const recordingsDir = join(dataDir, 'recordings');
  writeRecording(recordingsDir, RECORDING, 15);
  // Every channel ever attached, to read what each holds (works on any commit).
  type Channel = { id: string; pendingBytes: number; isClosing: boolean; ws: WebSocket };
  const channels = new Map<string, Channel>();
  const replies = new Map<string, number>();
  const attach = Broadcaster.prototype.attach;
  Broadcaster.prototype.attach = function (this: unknown, channel: never) {
    channels.set((channel as Channel).id, channel as Channel);
    return attach.call(this, channel);
  } as never;
  const publish = Broadcaster.prototype.publish;
  Broadcaster.prototype.publish = function (this: unknown, event: { event_type: string; data: Record<string, unknown> }) {
    if (event.event_type === 'COMMAND' && event.data.command === 'get_recording') {
      const id = String(event.data.connection_id);
      // After the reply has been handed to the channel (it follows the audit synchronously).
      setImmediate(() => replies.set(id, (replies.get(id) ?? 0) + 1));
    }
    return publish.call(this, event as never);
  } as never;
  const overrides = JSON.parse(process.env.MEM_SETTINGS ?? '{}') as Record<string, unknown>;
  const bot = new FakeBot();
  const server = await startMonitorServer({
    settings: {
      ...DEFAULT_SERVER_SETTINGS, port: 0, dataDir, uiDir: join(dataDir, 'no-ui'), heartbeatMs: 600_000,
      maxConnectionsPerAddress: 4096, rateLimit: { ...DEFAULT_SERVER_SETTINGS.rateLimit, capacity: 1000 },
      ...overrides,
      sendQueue: { ...DEFAULT_SERVER_SETTINGS.sendQueue, ...(overrides.sendQueue as object | undefined) },
    },
    bot,
    recordingsDir,
    log: () => undefined,
  });
  const sample = (): Sample => {
    (globalThis as { gc?: () => void }).gc?.();
    let perClientBytes = 0;
    let openChannels = 0;
    for (const c of channels.values()) {
      if (c.ws.readyState === WebSocket.CLOSED) continue;
      openChannels++;
      perClientBytes += c.pendingBytes + c.ws.bufferedAmount;
    }
    const m = process.memoryUsage();
    const metricLines = server.metrics.render().split('\n').filter((l) => /^tradeloom_(send|ws_buffered)/.test(l));
    return {
      perClientBytes, openChannels, rss: m.rss, maxRss: process.resourceUsage().maxRSS * 1024, heapUsed: m.heapUsed,
      arrayBuffers: m.arrayBuffers, slowConsumers: server.metrics.slowConsumersTotal, metricLines,
    };
  };
  process.on('message', async (raw) => {
    const msg = raw as { id: number; cmd: string; [k: string]: unknown };
    const reply = (value: unknown) => process.send!({ id: msg.id, value });
    switch (msg.cmd) {
      case 'sample':
        return reply(sample());
      case 'state': {
        const c = channels.get(String(msg.connection));
        return reply({ replies: replies.get(String(msg.connection)) ?? 0, closing: !c || c.isClosing || c.ws.readyState !== WebSocket.OPEN });
      }
      case 'publish': {
        const count = Number(msg.count);
        for (let i = 0; i < count; i++) {
          bot.bigError(Number(msg.bytes));
          if (i % 50 === 49) await new Promise((r) => setImmediate(r));
        }
        return reply(server.broadcaster.lastSeq);
      }
      case 'stop':
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
        reply(null);
        return process.exit(0);
    }
  });
  process.send!({ id: 0, value: server.port });
}

/** A recording of about `megabytes` MB of valid BAR events. */
function writeRecording(dir: string, name: string, megabytes: number): void {
  mkdirSync(dir, { recursive: true });
  const line = (seq: number) => JSON.stringify({ timestamp: '2024-01-15T10:30:45.123000', session_id: 's', event_type: 'BAR', level: 'DEBUG', seq, data: { symbol: 'USDCHF', timeframe: 'M30', time: '2024-01-15T10:00:00', open: 1.1, high: 1.2, low: 1, close: 1.15, volume: 100, note: 'n'.repeat(100) } });
  const count = Math.ceil((megabytes * 1e6) / (line(1).length + 1));
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(line(i));
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------- the client side

class ServerProcess {
  private next = 1;
  private readonly waiting = new Map<number, (value: unknown) => void>();
  readonly port: Promise<number>;

  constructor(readonly child: ChildProcess) {
    this.port = new Promise((resolve) => this.waiting.set(0, resolve as (v: unknown) => void));
    child.on('message', (raw) => {
      const { id, value } = raw as { id: number; value: unknown };
      this.waiting.get(id)?.(value);
      this.waiting.delete(id);
    });
  }

  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (v: unknown) => void);
      this.child.send({ id, cmd, ...args });
    });
  }
}

interface Client {
  readonly ws: WebSocket;
  readonly connectionId: string;
  closeCode: number | null;
}

async function openPausedClient(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  const connectionId = await new Promise<string>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type?: string; connection_id?: string };
      if (m.type === 'connection_established') resolve(m.connection_id!);
    });
  });
  ws.removeAllListeners('message');
  ws.on('error', () => undefined);
  const client: Client = { ws, connectionId, closeCode: null };
  ws.on('close', (code) => (client.closeCode = code));
  // Stop reading: the kernel's buffers fill, then the server's.
  (ws as unknown as { _socket: Socket })._socket.pause();
  return client;
}

const mib = (n: number) => `${(n / MB).toFixed(1)} MiB`;

function report(label: string, s: Sample, clients: number): void {
  console.log(`  ${label}: ${clients} clients, ${s.slowConsumers} told to close as slow consumers (4000), ${s.openChannels} sockets not closed yet`);
  console.log(`    bytes waiting, summed per client (queue + ws.bufferedAmount): ${mib(s.perClientBytes)}`);
  console.log(`    server process: RSS ${mib(s.rss)} (peak ${mib(s.maxRss)}), arrayBuffers ${mib(s.arrayBuffers)}, heap ${mib(s.heapUsed)}`);
  for (const line of s.metricLines) console.log(`    /metrics ${line}`);
}

async function scenario(name: 'replies' | 'broadcast', clients: number): Promise<void> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env,
  });
  const server = new ServerProcess(child);
  const url = `ws://127.0.0.1:${await server.port}/ws`;
  const baseline = await server.call<Sample>('sample');
  console.log(`\n${name}: server started, RSS ${mib(baseline.rss)}`);
  const open: Client[] = [];
  for (let i = 0; i < clients; i++) open.push(await openPausedClient(url));
  if (name === 'replies') {
    for (const c of open) {
      for (let k = 1; k <= 3; k++) {
        c.ws.send(JSON.stringify({ type: 'get_recording', name: RECORDING }));
        for (;;) {
          const state = await server.call<{ replies: number; closing: boolean }>('state', { connection: c.connectionId });
          if (state.replies >= k || state.closing) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }
  } else {
    await server.call('publish', { count: 1500, bytes: 20_000 });
  }
  // Let the sockets settle (what the kernel takes, it takes at once).
  await new Promise((r) => setTimeout(r, 300));
  report(name, await server.call<Sample>('sample'), clients);
  for (const c of open) c.ws.terminate();
  await server.call('stop');
}

export async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-') && !a.endsWith('.ts'));
  const clients = Number(args.find((a) => /^\d+$/.test(a)) ?? 64);
  const which = args.find((a) => /^(replies|broadcast|both)$/.test(a)) ?? 'both';
  console.log(`memory-budget: ${clients} ws clients that stop reading; MEM_SETTINGS=${process.env.MEM_SETTINGS ?? '{}'}`);
  if (which !== 'broadcast') await scenario('replies', clients);
  if (which !== 'replies') await scenario('broadcast', clients);
}

if (process.argv.includes('--serve')) {
  serve().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (process.argv[1] && SELF === resolvePath(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
