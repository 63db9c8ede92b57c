import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** The end of one recording: its last sequenced event, and a torn last line if a crash left one. */
export interface RecordingTail {
  readonly path: string;
  readonly name: string;
  /** `seq` of the last complete line that has one, or null (none, or not a server recording). */
  readonly lastSeq: number | null;
  readonly sessionId: string | null;
  readonly size: number;
  /** Bytes after the last newline: a line cut by a crash. */
  readonly tornBytes: number;
}

// Wide enough for several events of any size the server writes (a BAR line is ~250 bytes).
const TAIL_BYTES = 256 * 1024;

/** Reads only the last bytes of the file: recordings grow to tens of MB. */
export function readRecordingTail(path: string, name = path): RecordingTail {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    // A byte-order mark opening the file is no line: a file holding only one is empty, not torn.
    const read = buffer.toString('utf8');
    const text = length === size && read.charCodeAt(0) === 0xfeff ? read.slice(1) : read;
    const lastNewline = text.lastIndexOf('\n');
    const tornBytes = Buffer.byteLength(text.slice(lastNewline + 1));
    const lines = text.slice(0, lastNewline + 1).split('\n');
    // The first line of the window may be cut by the window itself: never trusted alone.
    const from = length < size ? 1 : 0;
    for (let i = lines.length - 1; i >= from; i--) {
      const line = lines[i].trim();
      if (!line) continue;
      try {
        const event = JSON.parse(line) as { seq?: unknown; session_id?: unknown };
        if (typeof event.seq === 'number') {
          return { path, name, lastSeq: event.seq, sessionId: typeof event.session_id === 'string' ? event.session_id : null, size, tornBytes };
        }
      } catch {
        // A bad line in the middle is reported by the reader; here only the last good one counts.
      }
    }
    return { path, name, lastSeq: null, sessionId: null, size, tornBytes };
  } finally {
    closeSync(fd);
  }
}

/** Every `.jsonl` recording in `dir` with its tail (an absent dir has none). */
export function scanRecordings(dir: string): RecordingTail[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'))
    .map((entry) => readRecordingTail(join(dir, entry.name), entry.name));
}

/** The highest seq any recording holds, and the file that holds it (0 and null when none). */
export function highestRecordedSeq(tails: readonly RecordingTail[]): { seq: number; file: string | null } {
  let best: RecordingTail | null = null;
  for (const tail of tails) if (tail.lastSeq !== null && (best === null || tail.lastSeq > best.lastSeq!)) best = tail;
  return { seq: best?.lastSeq ?? 0, file: best?.name ?? null };
}
