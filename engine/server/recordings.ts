import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeLogEvent, type LogEvent } from '../../protocol/index.ts';

/** `<YYYYMMDD-HHMMSS>_<kind>_<session_id>.jsonl`, one LogEvent JSON per line. */
const RECORDING_NAME = /^(\d{8})-(\d{6})_([A-Za-z0-9-]+)_([A-Za-z0-9-]+)\.jsonl$/;

export interface RecordingInfo {
  readonly name: string;
  readonly kind: string;
  readonly session_id: string;
  /** Start of the recording, UTC, from the file name. */
  readonly started: string;
  readonly size: number;
  readonly modified: string;
  /** True when the file holds no event at all: nothing, or only a byte-order mark and blank lines. */
  readonly empty?: true;
}

export interface RecordingContent {
  readonly name: string;
  readonly events: LogEvent[];
  /** Lines that are not valid events, by line number; reported, not hidden. */
  readonly errors: { line: number; error: string }[];
}

/** True for a file name the recorder could have written; refuses paths and traversal. */
export function isRecordingName(name: string): boolean {
  return RECORDING_NAME.test(name);
}

/**
 * The recordings in `dir`, newest first. Only regular files count: a symlink (it could point
 * anywhere), a directory or an entry that vanishes while we look is skipped, never thrown.
 */
export function listRecordings(dir: string): RecordingInfo[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: RecordingInfo[] = [];
  for (const entry of entries) {
    const m = entry.isFile() ? RECORDING_NAME.exec(entry.name) : null;
    if (!m) continue;
    let stat;
    try {
      stat = lstatSync(join(dir, entry.name));
    } catch {
      continue;
    }
    if (!stat.isFile()) continue;
    const [name, d, t, kind, sessionId] = m;
    out.push({
      name,
      kind,
      session_id: sessionId,
      started: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`,
      size: stat.size,
      modified: stat.mtime.toISOString(),
      ...(stat.size <= SMALL && recordingHeadProblem(dir, name) === EMPTY ? { empty: true as const } : {}),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** An open recording: its size and a stream of its bytes (the caller reads or destroys it). */
export interface OpenRecording {
  readonly size: number;
  readonly stream: ReadStream;
}

/**
 * Opens a recording for reading without following symlinks (`O_NOFOLLOW`) and only if it is
 * a regular file; null for a bad name, a missing file, a symlink, a directory or any other
 * file-system refusal. Opening first and checking the open descriptor leaves no window in
 * which the name could be swapped for a link.
 */
export async function openRecording(dir: string, name: string): Promise<OpenRecording | null> {
  if (!isRecordingName(name)) return null;
  let handle;
  try {
    handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return null;
    }
    return { size: stat.size, stream: handle.createReadStream({ autoClose: true }) };
  } catch {
    await handle.close().catch(() => undefined);
    return null;
  }
}

/**
 * `read(fd, size)` on a recording opened as `openRecording` opens it (no symlink followed, a
 * regular file only, no wait on a FIFO), closed after; null for a bad name, any such refusal,
 * or a read that throws.
 */
export function readRecordingFile<T>(dir: string, name: string, read: (fd: number, size: number) => T): T | null {
  if (!isRecordingName(name)) return null;
  let fd: number;
  try {
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    return stat.isFile() ? read(fd, stat.size) : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates a recording (tools and tests; the server uses `loadRecording`). */
export function readRecording(dir: string, name: string): RecordingContent | null {
  const text = readRecordingFile(dir, name, (fd) => readFileSync(fd, 'utf8'));
  if (text === null) return null;
  const events: LogEvent[] = [];
  const errors: { line: number; error: string }[] = [];
  text.split('\n').forEach((line, i) => {
    const checked = checkLine(i === 0 ? withoutBom(line) : line, i + 1);
    if (checked === null) return;
    if ('error' in checked) errors.push(checked);
    else events.push(checked.event);
  });
  return { name, events, errors };
}

/** A recording checked line by line, valid lines kept as stored (for passing on unparsed). */
export interface LoadedRecording {
  readonly name: string;
  readonly lines: string[];
  readonly errors: { line: number; error: string }[];
}

/**
 * The server's read of a recording: streamed line by line, yielding to the event loop between
 * chunks, so a 30 MB file does not stall every other client. Valid events are kept as their
 * stored JSON text, so the reply need not serialise them again. Null when it cannot be opened;
 * only the size when it is over `maxBytes`.
 */
export async function loadRecording(dir: string, name: string, maxBytes = Number.POSITIVE_INFINITY): Promise<LoadedRecording | { readonly tooLarge: number } | null> {
  const opened = await openRecording(dir, name);
  if (!opened) return null;
  if (opened.size > maxBytes) {
    opened.stream.destroy();
    return { tooLarge: opened.size };
  }
  const lines: string[] = [];
  const errors: { line: number; error: string }[] = [];
  const reader = createInterface({ input: opened.stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const read of reader) {
      // Kept as stored, passed on unparsed: a BOM there would make the reply's JSON invalid.
      const text = n === 0 ? withoutBom(read) : read;
      const checked = checkLine(text, ++n);
      if (checked === null) continue;
      if ('error' in checked) errors.push(checked);
      else lines.push(text);
    }
  } catch {
    opened.stream.destroy();
    return null;
  }
  return { name, lines, errors };
}

/**
 * A first line without the UTF-8 byte-order mark an editor may put before it (the UI's local
 * open drops it, as `TextDecoder` does; JSON does not allow it).
 */
export function withoutBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

/** Files up to this size are read whole to tell an empty one (a BOM and blank lines at most). */
const SMALL = 64;
const EMPTY = 'is empty (no events)';
const TWO_BOMS = 'starts with two UTF-8 byte-order marks (EF BB BF twice; an editor added one to a file that had one): save it with one at most';

/**
 * Why a recording's start cannot be read as events, in words for a reply: `is empty (no events)`
 * for a file holding nothing (or a byte-order mark and blank lines only), or the two
 * byte-order marks an editor can leave; null when neither (or the file cannot be opened).
 *
 * @example
 * const why = recordingHeadProblem(dir, name); // 'is empty (no events)'
 */
export function recordingHeadProblem(dir: string, name: string): string | null {
  return readRecordingFile(dir, name, (fd, size) => {
    const buffer = Buffer.alloc(Math.min(size, SMALL));
    const n = buffer.length === 0 ? 0 : readSync(fd, buffer, 0, buffer.length, 0);
    const head = buffer.toString('utf8', 0, n);
    if (withoutBom(head).charCodeAt(0) === 0xfeff) return TWO_BOMS;
    return size <= SMALL && withoutBom(head).trim() === '' ? EMPTY : null;
  });
}

/** One line: null when blank, its event, or what is wrong with it. A torn last line is reported. */
function checkLine(text: string, line: number): { event: LogEvent } | { line: number; error: string } | null {
  if (text.trim() === '') return null;
  // Left after the one a file may open with: JSON.parse's "Unexpected token" would not say what it is.
  if (text.charCodeAt(0) === 0xfeff) return { line, error: line === 1 ? `the file ${TWO_BOMS}` : 'a UTF-8 byte-order mark inside the file (one is allowed only at its very start)' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { line, error: `malformed JSON: ${(err as Error).message}` };
  }
  const decoded = decodeLogEvent(json);
  return decoded.ok ? { event: decoded.value } : { line, error: [decoded.error, ...decoded.details].join('; ') };
}
