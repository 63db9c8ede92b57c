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
  /** An existing recording in `dir` to append to (the catch-up after a crash) instead of a new file. */
  readonly appendTo?: string;
}

// Lines that could not be written (full disk) wait in memory up to this many bytes; the journal
// has the events, and the next start appends what the recording misses.
const MAX_PENDING_BYTES = 32 * 1024 * 1024;

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
  /** Bytes a failed write left unwritten (the rest of a line too: a line is never left torn). */
  private pending: Buffer | null = null;
  /** Lines dropped past MAX_PENDING_BYTES. */
  dropped = 0;

  constructor(options: RecorderOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.name = options.appendTo ?? recordingFileName(options.kind, options.sessionId, options.startedAt ?? Date.now());
    this.path = join(options.dir, this.name);
    this.fd = openSync(this.path, 'a');
    this.batch = Math.max(1, options.batch ?? 1);
  }

  /** Records one event (an EventSink for the server's Broadcaster). */
  record(event: LogEvent): void {
    this.recordLine(JSON.stringify(event));
  }

  /** Records one event already serialised (as broadcast or as journaled). */
  recordLine(json: string): void {
    if (this.fd === null) throw new Error(`recorder ${this.name} is closed`);
    this.buffer.push(json);
    if (this.buffer.length >= this.batch) this.flush();
  }

  /** Writes what is buffered; on a failure keeps the unwritten bytes for the next call and throws. */
  flush(): void {
    if (this.fd === null) return;
    if (this.buffer.length > 0) {
      const text = Buffer.from(`${this.buffer.join('\n')}\n`);
      this.buffer = [];
      if (this.pending !== null && this.pending.length + text.length > MAX_PENDING_BYTES) this.dropped++;
      else this.pending = this.pending === null ? text : Buffer.concat([this.pending, text]);
    }
    let data = this.pending;
    if (data === null) return;
    try {
      while (data.length > 0) data = data.subarray(writeSync(this.fd, data));
    } finally {
      this.pending = data.length > 0 ? data : null;
    }
  }

  /** Flushes, syncs and closes; the file is closed even when the last write fails (it throws then). */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    try {
      this.flush();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      this.fd = null;
    }
  }
}
