import { Recorder } from '../recorder/recorder.ts';
import type { SequencedEvent } from '../journal/journal.ts';
import type { EventSink } from './broadcaster.ts';

/**
 * Records what the server broadcasts, one JSONL file per session: the bot's session in one
 * file (`paper`), each backtest started from the UI in its own (`backtest`), opened at
 * BACKTEST_START and closed at BACKTEST_COMPLETE. Written before clients see the event.
 *
 * @example
 * const recordings = new SessionRecorder('var/recordings', 'paper');
 * startMonitorServer({ ..., sinks: [journal, recordings] });
 */
export class SessionRecorder implements EventSink {
  private readonly open = new Map<string, Recorder>();
  private readonly backtests = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly liveKind: string,
  ) {}

  record(event: SequencedEvent): void {
    const sid = event.session_id;
    if (event.event_type === 'BACKTEST_START') this.backtests.add(sid).add(event.data.session_id);
    let recorder = this.open.get(sid);
    if (!recorder) {
      recorder = new Recorder({ dir: this.dir, kind: this.backtests.has(sid) ? 'backtest' : this.liveKind, sessionId: safeId(sid) });
      this.open.set(sid, recorder);
    }
    recorder.record(event);
    if (event.event_type === 'BACKTEST_COMPLETE') {
      recorder.close();
      this.open.delete(sid);
    }
  }

  /** Names of the files being written (for the startup line and tests). */
  files(): string[] {
    return [...this.open.values()].map((r) => r.name);
  }

  /** Closes every file; one that cannot flush (full disk) does not keep the others open. */
  close(): void {
    let failure: unknown = null;
    for (const recorder of this.open.values()) {
      try {
        recorder.close();
      } catch (err) {
        failure ??= err;
      }
    }
    this.open.clear();
    if (failure !== null) throw failure;
  }
}

// A session id lands in a file name: keep it to what the recordings listing accepts.
function safeId(sessionId: string): string {
  return sessionId.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 80) || 'session';
}
