import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

/** The recordings in `dir`, newest first. */
export function listRecordings(dir: string): RecordingInfo[] {
  if (!existsSync(dir)) return [];
  const out: RecordingInfo[] = [];
  for (const name of readdirSync(dir)) {
    const m = RECORDING_NAME.exec(name);
    if (!m) continue;
    const stat = statSync(join(dir, name));
    const [, d, t, kind, sessionId] = m;
    out.push({
      name,
      kind,
      session_id: sessionId,
      started: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`,
      size: stat.size,
      modified: stat.mtime.toISOString(),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** Absolute path of a recording, or null if the name is not one or the file is missing. */
export function recordingPath(dir: string, name: string): string | null {
  if (!isRecordingName(name)) return null;
  const path = join(dir, name);
  return existsSync(path) ? path : null;
}

/** Reads and validates a recording; a torn last line (crash mid-write) is reported, not fatal. */
export function readRecording(dir: string, name: string): RecordingContent | null {
  const path = recordingPath(dir, name);
  if (!path) return null;
  const events: LogEvent[] = [];
  const errors: { line: number; error: string }[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        errors.push({ line: i + 1, error: `malformed JSON: ${(err as Error).message}` });
        return;
      }
      const decoded = decodeLogEvent(json);
      if (decoded.ok) events.push(decoded.value);
      else errors.push({ line: i + 1, error: [decoded.error, ...decoded.details].join('; ') });
    });
  return { name, events, errors };
}
