import { join } from 'node:path';
import { describeSqliteError, Journal, JournalOpenError, journalExists } from '../journal/journal.ts';
import { highestRecordedSeq, scanRecordings, type RecordingTail } from '../recorder/recording-tail.ts';

/** A journal that must not be used as it is; `message` says what was found and what to do. */
export class JournalRefusal extends Error {
  readonly exitCode = 2;
}

export interface OpenedJournal {
  readonly journal: Journal;
  readonly path: string;
  readonly recordingsDir: string;
  /** The recordings as found at start (the recorder's catch-up reads them). */
  readonly tails: readonly RecordingTail[];
  /** Lines for the start-up log (a new epoch, what was checked). */
  readonly notes: readonly string[];
}

/**
 * Opens the data dir's journal for the server, refusing what would reuse a seq or lose a trade:
 * a journal that is corrupt or cannot be written, and one that is missing, empty or behind what
 * `recordings/` holds (deleted, rolled back, or its -wal removed). `newEpoch` accepts the last
 * case explicitly: seq continues after the highest one recorded and the next session is a new one.
 */
export function openJournalForStart(dataDir: string, options: { keepEvents: number; newEpoch: boolean }): OpenedJournal {
  const path = join(dataDir, 'journal.sqlite');
  const recordingsDir = join(dataDir, 'recordings');
  const tails = scanRecordings(recordingsDir);
  const recorded = highestRecordedSeq(tails);
  const existed = journalExists(path);
  if (!existed && recorded.seq > 0 && !options.newEpoch) {
    throw new JournalRefusal(
      `${path} is missing, but ${join(recordingsDir, recorded.file!)} holds events up to seq ${recorded.seq}. ` +
        `A fresh journal would reuse seq 1..${recorded.seq} and forget the account (balance, open positions, weekly count). ` +
        `Either put the journal back (journal.sqlite with its journal.sqlite-wal), or start a new epoch with --new-epoch: ` +
        `a fresh account, a new session id, seq continuing from ${recorded.seq + 1}.`,
    );
  }
  let journal: Journal;
  try {
    journal = Journal.open(path, { keepEvents: options.keepEvents });
  } catch (err) {
    if (!(err instanceof JournalOpenError)) throw err;
    throw new JournalRefusal(
      `${path} cannot be opened: ${describeSqliteError(err.reason)}. Nothing was changed. ` +
        `If it is corrupt, restore it from a backup; or move journal.sqlite, journal.sqlite-wal and journal.sqlite-shm aside ` +
        `and start with --new-epoch (a fresh account; the recordings are kept and seq continues after them). ` +
        `If it is read-only, make it and ${dataDir} writable.`,
    );
  }
  try {
    journal.probe();
  } catch (err) {
    closeQuietly(journal);
    throw new JournalRefusal(
      `${path} cannot be written: ${describeSqliteError(err)}. Make the file (and its -wal and -shm) and ${dataDir} writable, ` +
        `or free space on that file system, then start again.`,
    );
  }
  const notes: string[] = [];
  if (recorded.seq > journal.lastSeq) {
    const what = journal.lastSeq === 0 ? 'is empty' : `ends at seq ${journal.lastSeq}`;
    if (!options.newEpoch) {
      closeQuietly(journal);
      throw new JournalRefusal(
        `${path} ${what}, but ${join(recordingsDir, recorded.file!)} holds events up to seq ${recorded.seq}: the journal ` +
          `(or its -wal) was deleted, emptied or rolled back. Starting on it would reuse seq ${journal.lastSeq + 1}..${recorded.seq} ` +
          `and undo what happened after seq ${journal.lastSeq}. Either restore the journal (journal.sqlite with its journal.sqlite-wal) ` +
          `from where it was, or start a new epoch with --new-epoch: a new session id, seq continuing from ${recorded.seq + 1}, ` +
          `the account as this journal has it.`,
      );
    }
  }
  if (options.newEpoch) {
    const reason = recorded.seq > journal.lastSeq ? `journal at seq ${journal.lastSeq} behind recordings at ${recorded.seq}` : 'requested';
    journal.startEpoch(recorded.seq, reason);
    notes.push(`new epoch (--new-epoch, ${reason}): a new session id, seq continues from ${journal.lastSeq + 1}`);
  }
  return { journal, path, recordingsDir, tails, notes };
}

function closeQuietly(journal: Journal): void {
  try {
    journal.close();
  } catch {
    // Refusing anyway; the reason given is the one that matters.
  }
}
