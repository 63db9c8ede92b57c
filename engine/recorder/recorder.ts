import { closeSync, mkdirSync, openSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from '../../protocol/index.ts';

export interface RecorderOptions {
  readonly dir: string;
  /** `live`, `paper`, `backtest`: part of the file name. */
  readonly kind: string;
  readonly sessionId: string;
  /** Wall-clock start used in the file name (default now). */
  readonly startedAt?: number;
  /**
   * Events buffered before a write. 1 (the default) writes every event as it comes, so a
   * `kill -9` loses nothing already broadcast; backtests use a larger batch.
   */
  readonly batch?: number;
}

/** `<YYYYMMDD-HHMMSS>_<kind>_<session_id>.jsonl`, the name the server lists and replays. */
export function recordingFileName(kind: string, sessionId: string, startedAt: number): string {
  const iso = new Date(startedAt).toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}_${kind}_${sessionId}.jsonl`;
}

/**
 * The Recorder: writes a session's events as JSONL, one event per line, exactly as broadcast,
 * so a recording replays through the same reducer as a live session.
 *
 * @example
 * const recorder = new Recorder({ dir: 'var/recordings', kind: 'backtest', sessionId });
 * runBacktest({ ..., onEvent: (e) => recorder.record(e) });
 * recorder.close();
 */
export class Recorder {
  readonly path: string;
  readonly name: string;
  private fd: number | null;
  private buffer: string[] = [];
  private readonly batch: number;

  constructor(options: RecorderOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.name = recordingFileName(options.kind, options.sessionId, options.startedAt ?? Date.now());
    this.path = join(options.dir, this.name);
    this.fd = openSync(this.path, 'a');
    this.batch = Math.max(1, options.batch ?? 1);
  }

  /** Records one event (an EventSink for the server's Broadcaster). */
  record(event: LogEvent): void {
    if (this.fd === null) throw new Error(`recorder ${this.name} is closed`);
    this.buffer.push(JSON.stringify(event));
    if (this.buffer.length >= this.batch) this.flush();
  }

  flush(): void {
    if (this.fd === null || this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
