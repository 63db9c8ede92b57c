import { truncateSync } from 'node:fs';
import { Recorder } from './recorder.ts';
import { highestRecordedSeq, type RecordingTail } from './recording-tail.ts';

/** What the journal offers the catch-up: its kept events and which sessions were backtests. */
export interface JournaledEvents {
  readonly lastSeq: number;
  eventsAfter(seq: number): { seq: number; json: string }[];
  sessionKind(sessionId: string): string | null;
  sessionAt(seq: number): string | null;
}

export interface CatchUpResult {
  /** Events appended, and to which files. */
  readonly appended: number;
  readonly files: readonly string[];
  /** Torn last lines removed (a crash mid-write; the event itself is re-appended from the journal). */
  readonly tornLinesRemoved: number;
  /**
   * Files with a torn last line that this server's journal never recorded (a recording copied
   * in, a CLI backtest's): left as they are, so `get_recording` lists the line as an error.
   */
  readonly tornLinesLeft: readonly string[];
  /** Seqs the recordings miss that the journal no longer keeps either (`[from, to]`), or null. */
  readonly unrecoverable: readonly [number, number] | null;
}

/**
 * After a crash the journal can be ahead of the recordings: the journal is written first, so a
 * kill between the two writes leaves an event only in the journal. On start, the events the
 * journal has beyond the highest recorded seq are appended, each to its session's newest file
 * (or a new one), so the recordings never miss a journaled seq.
 *
 * @example
 * const result = catchUpRecordings('var/recordings', scanRecordings('var/recordings'), journal, 'paper');
 */
export function catchUpRecordings(dir: string, tails: readonly RecordingTail[], journal: JournaledEvents, liveKind: string): CatchUpResult {
  let tornLinesRemoved = 0;
  const tornLinesLeft: string[] = [];
  for (const tail of tails) {
    if (tail.tornBytes === 0) continue;
    // Only this server's own files are repaired: their torn line is an event the journal holds.
    // Anyone else's file is not ours to rewrite; its torn line stays listed, not hidden.
    if (isJournaledSession(tail, journal)) {
      truncateSync(tail.path, tail.size - tail.tornBytes);
      tornLinesRemoved++;
    } else {
      tornLinesLeft.push(tail.name);
    }
  }
  const recorded = highestRecordedSeq(tails).seq;
  if (journal.lastSeq <= recorded) return { appended: 0, files: [], tornLinesRemoved, tornLinesLeft, unrecoverable: null };
  const events = journal.eventsAfter(recorded);
  const first = events[0]?.seq ?? journal.lastSeq + 1;
  const unrecoverable: [number, number] | null = first > recorded + 1 ? [recorded + 1, first - 1] : null;
  // Each session's newest file: where its missing events belong.
  const newest = new Map<string, RecordingTail>();
  for (const tail of tails) {
    if (tail.sessionId === null || tail.lastSeq === null) continue;
    const known = newest.get(tail.sessionId);
    if (!known || tail.lastSeq > known.lastSeq!) newest.set(tail.sessionId, tail);
  }
  const open = new Map<string, Recorder>();
  try {
    for (const { json } of events) {
      const sessionId = (JSON.parse(json) as { session_id: string }).session_id;
      let recorder = open.get(sessionId);
      if (!recorder) {
        const existing = newest.get(sessionId);
        recorder = existing
          ? new Recorder({ dir, kind: '', sessionId, appendTo: existing.name })
          : new Recorder({ dir, kind: journal.sessionKind(sessionId) === 'backtest' ? 'backtest' : liveKind, sessionId: sessionId.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 80) || 'session' });
        open.set(sessionId, recorder);
      }
      recorder.recordLine(json);
    }
  } finally {
    for (const recorder of open.values()) recorder.close();
  }
  return { appended: events.length, files: [...open.values()].map((r) => r.name), tornLinesRemoved, tornLinesLeft, unrecoverable };
}

/** `<stamp>_<kind>_<session>.jsonl`: the session part of a name the recorder gave. */
const NAMED_SESSION = /^\d{8}-\d{6}_[A-Za-z0-9-]+_([A-Za-z0-9-]+)\.jsonl$/;

/**
 * A file the server recorded: its last complete line is the journal's event of that seq and
 * session, or its session (from that line, or from its name when its only line is torn) is one
 * the journal saw start. A CLI backtest's lines carry no seq; another server's are not this
 * journal's events.
 */
function isJournaledSession(tail: RecordingTail, journal: JournaledEvents): boolean {
  if (tail.lastSeq !== null && tail.sessionId !== null && journal.sessionAt(tail.lastSeq) === tail.sessionId) return true;
  const named = NAMED_SESSION.exec(tail.name)?.[1];
  return [tail.sessionId, named].some((id) => id != null && journal.sessionKind(id) !== null);
}
