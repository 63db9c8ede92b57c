import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../kit/server-kit.ts';

// Issue 11: `npm start` under a 256 file-descriptor limit, with 400 idle sockets and a slowloris
// from the same address, keeps answering /healthz and new WebSocket clients.

const IDLE_SOCKETS = 400;
const FD_LIMIT = 256;

let dir: string;
let child: ChildProcess | null = null;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeloom-idle-'));
});
test.after.each(() => {
  child?.kill('SIGKILL');
  child = null;
  rmSync(dir, { recursive: true, force: true });
});

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

function startServer(config: object): Promise<{ url: string; stderr: () => string }> {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const args = ['--import', 'tsx', 'engine/cli/start.ts', '--port', '0', '--data-dir', dir, '--config', file];
  // prlimit sets the limit for the server process only; the test keeps its own.
  child = hasPrlimit
    ? spawn('prlimit', [`--nofile=${FD_LIMIT}:${FD_LIMIT}`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRADELOOM_TOKEN: '' } })
    : spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRADELOOM_TOKEN: '' } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (d) => {
      stdout += d;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve({ url: m[1], stderr: () => stderr });
    });
    child!.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens a socket that says nothing; resolves once connected (or refused). */
function idleSocket(port: number, closed: { n: number }): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    // Flowing, so the server's FIN is read and 'close' fires (a paused socket never sees it).
    socket.resume();
    socket.once('close', () => closed.n++);
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

test(`with a ${FD_LIMIT}-fd limit and ${IDLE_SOCKETS} idle sockets from loopback, /healthz and a new WebSocket client still work`, async () => {
  const server = await startServer({ bot: { speed: 20 }, server: { timeouts: { headersMs: 5000, idleMs: 20_000 } } });
  const port = Number(new URL(server.url).port);
  const closed = { n: 0 };
  const sockets: Socket[] = [];
  for (let i = 0; i < IDLE_SOCKETS; i += 50) {
    sockets.push(...(await Promise.all(Array.from({ length: 50 }, () => idleSocket(port, closed)))));
  }
  const health = await fetch(`${server.url}/healthz`);
  assert.is(health.status, 200);
  assert.is((await health.json()).status, 'ok');
  const client = await TestClient.connect(`${server.url.replace('http', 'ws')}/ws`);
  await client.next((m) => m.event_type === 'BAR');
  await client.close();
  // The per-address cap (128 by default) closed the oldest idle ones to make room.
  assert.ok(closed.n >= IDLE_SOCKETS - 128, `${closed.n} idle sockets closed by the server`);
  assert.not.match(server.stderr(), /internal error|EMFILE.*uncaught/i);
  for (const s of sockets) s.destroy();
});

test('a slowloris dribbling headers is cut by the header timeout', async () => {
  const server = await startServer({ bot: { autoStart: false }, server: { timeouts: { headersMs: 1000, requestMs: 2000, idleMs: 1500 } } });
  const port = Number(new URL(server.url).port);
  const dribble = new Promise<{ lines: number; answer: string }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let lines = 0;
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const timer = setInterval(() => {
        if (lines >= 300 || socket.destroyed) return;
        lines++;
        socket.write(`X-Slow-${lines}: ${'v'.repeat(10)}\r\n`);
      }, 100);
      socket.once('close', () => {
        clearInterval(timer);
        resolve({ lines, answer });
      });
    });
  });
  const { lines, answer } = await dribble;
  assert.ok(lines < 300, `closed after ${lines} header lines of 300`);
  assert.ok(answer === '' || /^HTTP\/1\.1 408/.test(answer), `answer: ${answer.slice(0, 40)}`);
  assert.is((await fetch(`${server.url}/healthz`)).status, 200);
});

test('sockets that never send a byte are closed by the idle timeout and their descriptors released', async () => {
  const server = await startServer({ bot: { autoStart: false }, server: { timeouts: { headersMs: 1000, requestMs: 2000, idleMs: 1500 } } });
  const port = Number(new URL(server.url).port);
  // Sockets that never send a byte: the server lets go of their descriptors (counted in /proc).
  const fds = () => readdirSync(`/proc/${child!.pid}/fd`).length;
  const before = fds();
  // Each client sees its socket closed by the server (the idle timeout), which also proves the
  // server accepted it; counting held descriptors at a peak instead raced the timeout under load.
  const quietClosed = { n: 0 };
  const quiet = await Promise.all(Array.from({ length: 50 }, () => idleSocket(port, quietClosed)));
  await until('the server to close the 50 quiet sockets', () => quietClosed.n === 50);
  await until('the server to release their descriptors', () => fds() <= before + 5);
  for (const s of quiet) s.destroy();
  assert.is((await fetch(`${server.url}/healthz`)).status, 200);
});

test.run();
