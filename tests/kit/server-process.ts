import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readRecording } from '../../engine/server/recordings.ts';
import { TestClient } from './server-kit.ts';

// `npm start` as a real process (engine/cli/start.ts without the UI build), and what its data
// dir holds afterwards: for the fail-safe, restart and chaos checks.

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Resolves with the http URL once listening; rejects if the process exits first. */
  readonly listening: Promise<string>;
  readonly exit: Promise<number | null>;
  stderr(): string;
}

const live = new Set<ChildProcess>();

/** Spawns the server; `uid` runs it as that user (and group), for read-only files under root. */
export function startServerProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}, uid?: number): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/start.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TRADELOOM_TOKEN: '', ...env },
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => (live.delete(child), resolve(code))));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /^listening on (http:\/\/\S+)\n/m.exec(stdout);
      if (m) resolve(m[1]);
    });
    void exit.then((code) => reject(new Error(`server exited ${code} before listening: ${stderr}`)));
  });
  listening.catch(() => undefined);
  return { child, exit, listening, stderr: () => stderr };
}

/**
 * `npm start -- --config CONFIG` on an ephemeral port with its own data dir, a ws client on it,
 * `run(client, server)`, then the client closed and the server stopped by SIGINT (awaited).
 */
export async function withConfiguredServer(config: string, dataDir: string, run: (client: TestClient, server: ServerProcess) => Promise<void>): Promise<void> {
  const server = startServerProcess(['--config', config, '--port', '0', '--data-dir', dataDir]);
  try {
    const url = await server.listening;
    const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
    try {
      await run(client, server);
    } finally {
      client.ws.close();
    }
  } finally {
    server.child.kill('SIGINT');
    await server.exit;
  }
}

/** SIGKILLs every server process this kit started and that is still running. */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Mounts a tmpfs of `size` (e.g. "2m") on `dir` (root only); returns false when not root. */
export function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return true;
}

export function remount(dir: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir]);
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir]);
  }
}

export interface JournalFacts {
  readonly lastSeq: number;
  readonly balance: number | null;
  readonly closed: { positionId: number; exitSeq: number; balanceAfter: number }[];
  readonly openPositions: { symbol: string; positionId: number }[];
  readonly weekTrades: number | null;
  readonly sessionId: string | null;
}

/** What a stopped server's journal holds, read directly. */
export function readJournal(dataDir: string): JournalFacts {
  const db = new Database(join(dataDir, 'journal.sqlite'), { readonly: true });
  try {
    const meta = (key: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
    const week = db.prepare('SELECT trades FROM weekly_counters ORDER BY week_start DESC LIMIT 1').get() as { trades: number } | undefined;
    return {
      lastSeq: Number(meta('last_seq') ?? 0),
      balance: meta('balance') === null ? null : Number(meta('balance')),
      closed: db.prepare('SELECT position_id AS positionId, exit_seq AS exitSeq, balance_after AS balanceAfter FROM trades WHERE exit_seq IS NOT NULL ORDER BY exit_seq').all() as never,
      openPositions: db.prepare('SELECT symbol, position_id AS positionId FROM positions').all() as never,
      weekTrades: week?.trades ?? null,
      sessionId: meta('last_session_id'),
    };
  } finally {
    db.close();
  }
}

/** Every sequenced event of every recording in the data dir, ordered by seq. */
export function recordedEvents(dataDir: string): { seq: number; event_type: string; data: any; session_id: string; timestamp: string }[] {
  const dir = join(dataDir, 'recordings');
  if (!existsSync(dir)) return [];
  const out: any[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.jsonl')) continue;
    const content = readRecording(dir, name);
    for (const e of content?.events ?? []) if (typeof (e as { seq?: number }).seq === 'number') out.push(e);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Seqs missing from 1..last, and seqs present more than once. */
export function seqProblems(seqs: readonly number[], last: number): { missing: number[]; duplicated: number[] } {
  const count = new Map<number, number>();
  for (const s of seqs) count.set(s, (count.get(s) ?? 0) + 1);
  const missing: number[] = [];
  for (let s = 1; s <= last; s++) if (!count.has(s)) missing.push(s);
  return { missing, duplicated: [...count].filter(([, n]) => n > 1).map(([s]) => s) };
}
