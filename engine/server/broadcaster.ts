import type { LogEvent } from '../../protocol/index.ts';
import { describeSqliteError, type SequencedEvent } from '../journal/journal.ts';
import { JournalHealth } from '../journal/journal-health.ts';
import { HeldEvents } from './held-events.ts';
import type { ClientChannel } from './client-channel.ts';
import { ReplayBuffer, type OutboundFrame, type ReplayEntry } from './replay-buffer.ts';

/** Something that must see every event before any client does (the Journal, the Recorder). */
export interface EventSink {
  /** `json` is the serialised event exactly as clients get it; `sheddable` marks DEBUG. */
  record(event: SequencedEvent, json: string, sheddable: boolean): void;
}

/** The journal as the Broadcaster needs it: it must take an event before anyone is told. */
export interface JournalSink extends EventSink {
  /** Throws unless a write can commit now (reopening the file if needed). */
  probe(): void;
  /** Records several events in one transaction, all or none. */
  recordMany(items: readonly { event: SequencedEvent; json: string; sheddable: boolean }[]): void;
  /** The high-water mark as committed (after a reopen, as read from the file). */
  readonly lastSeq: number;
}

/** What the Broadcaster reports when the journal recovers. */
export interface JournalRecovery {
  readonly written: number;
  readonly dropped: number;
  readonly downMs: number;
  readonly problem: string;
}

export interface BroadcasterOptions {
  /** The last sequence number already used (the journal's high-water mark after a restart). */
  readonly startSeq: number;
  readonly replayCapacity: number;
  /**
   * The journal: an event is stamped, recorded and sent only once it has taken it. While it
   * throws, events are held in order (see HeldEvents), clients get an unsequenced ERROR
   * notice, and a timer probes it until it takes writes again, then the held events go out.
   */
  readonly journal?: JournalSink;
  readonly health?: JournalHealth;
  /** Byte budget of the held events (default 16 MiB). */
  readonly holdBytes?: number;
  /** Told after each event held (the SendBudget counts the held bytes). */
  readonly onHold?: () => void;
  /** How often a failing journal is probed (default 1000 ms). */
  readonly retryMs?: number;
  /** The ERROR event journaled (first in line) and announced when the journal fails. */
  readonly failureEvent?: (problem: string) => LogEvent;
  /** The event journaled once the held events are written (null: none). */
  readonly recoveryEvent?: (recovery: JournalRecovery) => LogEvent | null;
  /** Written after the journal (the Recorder): a failure is reported, the event still goes out. */
  /** Bytes the replay buffer may hold (default: no byte bound beyond the count). */
  readonly replayBytes?: number;
  readonly sinks?: readonly EventSink[];
  /** Told of every event after it went out (metrics). */
  readonly onPublished?: (event: SequencedEvent, clients: number) => void;
  /**
   * A sink failed: the event still goes out, and the failure is reported, never swallowed.
   * `first` is true for the first failure after the sink last took an event.
   */
  readonly onSinkError?: (error: unknown, sink: EventSink, event: SequencedEvent, first: boolean) => void;
  /** A sink that failed took an event again (`failed`: how many events it refused meanwhile). */
  readonly onSinkRecovered?: (sink: EventSink, event: SequencedEvent, failed: number) => void;
}

// These are never shed even if a producer tagged them DEBUG.
const NEVER_SHED = new Set(['TRADE_ENTRY', 'TRADE_EXIT', 'ERROR']);

export interface ResumePlan {
  readonly entries: readonly ReplayEntry[];
  /** True when events after `lastSeq` are no longer held. */
  readonly gap: boolean;
  /** True when `lastSeq` is beyond this server's last seq: the client's numbering is not ours. */
  readonly ahead: boolean;
  readonly firstAvailableSeq: number | null;
}

/**
 * Fans every event out to every client. Stamps a strictly increasing `seq`, hands the event to
 * the journal synchronously (what a client sees has been written; while the journal cannot
 * write, events wait unsequenced and unsent), then to the other sinks, serialises it once into
 * a Buffer shared by all clients, and keeps it for `resume`.
 *
 * @example
 * const broadcaster = new Broadcaster({ startSeq: journal.lastSeq, replayCapacity: 10_000, journal, sinks: [recorder] });
 * bot.events$.subscribe((event) => broadcaster.publish(event));
 */
export class Broadcaster {
  private seq: number;
  private readonly clients = new Set<ClientChannel>();
  private readonly replay: ReplayBuffer;
  readonly health: JournalHealth;
  private readonly held: HeldEvents;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly backtestSessions = new Set<string>();
  /** The failure's ERROR event, held right after the event whose write failed. */
  private failureNotice: LogEvent | null = null;
  /** Sinks whose last write failed, with how many events they refused since. */
  private readonly failingSinks = new Map<EventSink, number>();

  constructor(private readonly options: BroadcasterOptions) {
    this.seq = options.startSeq;
    this.replay = new ReplayBuffer(options.replayCapacity, options.replayBytes);
    this.health = options.health ?? new JournalHealth();
    this.held = new HeldEvents(options.holdBytes ?? 16 * 1024 * 1024);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Bytes held for `resume`. */
  get replayBytes(): number {
    return this.replay.bytes;
  }

  /** Bytes of the events held, unsent, while the journal cannot write. */
  get heldBytes(): number {
    return this.held.bytes;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  attach(client: ClientChannel): void {
    this.clients.add(client);
  }

  detach(client: ClientChannel): void {
    this.clients.delete(client);
  }

  /**
   * Journals, records and sends one event; returns it stamped, or null when it is held
   * because the journal cannot write (it goes out, in order, once the journal can).
   */
  publish(event: LogEvent): SequencedEvent | null {
    if (event.event_type === 'BACKTEST_START') this.backtestSessions.add(event.session_id).add(event.data.session_id);
    if (this.retryTimer !== null || this.held.length > 0) {
      this.hold(event);
      return null;
    }
    const stamped = this.write(event);
    if (stamped === null) {
      // The failed event first: if its write did commit after all, it is the one with the next seq.
      this.hold(event);
      if (this.failureNotice !== null) this.held.push(this.failureNotice, false);
      this.failureNotice = null;
      this.syncHealth();
    }
    return stamped;
  }

  /** Tells every client something that is not an event of the log (no seq, not journaled, not replayed). */
  notify(event: LogEvent): void {
    const frame: OutboundFrame = { data: Buffer.from(JSON.stringify(event)), sheddable: false };
    for (const client of this.clients) client.send(frame);
  }

  /**
   * One more attempt to write what is held (the shutdown path); returns how many events are
   * still held. Stops the retry timer.
   */
  flushHeld(): number {
    this.retry();
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    return this.held.length;
  }

  private write(event: LogEvent): SequencedEvent | null {
    const stamped = { ...event, seq: this.seq + 1 } as SequencedEvent;
    const json = JSON.stringify(stamped);
    const sheddable = stamped.level === 'DEBUG' && !NEVER_SHED.has(stamped.event_type);
    const journal = this.options.journal;
    if (journal) {
      try {
        journal.record(stamped, json, sheddable);
      } catch (error) {
        this.fail(error);
        return null;
      }
    }
    this.fanOut(stamped, json, sheddable);
    return stamped;
  }

  private fanOut(stamped: SequencedEvent, json: string, sheddable: boolean): void {
    this.seq = stamped.seq;
    for (const sink of this.options.sinks ?? []) {
      const failed = this.failingSinks.get(sink);
      try {
        sink.record(stamped, json, sheddable);
      } catch (error) {
        this.failingSinks.set(sink, (failed ?? 0) + 1);
        this.options.onSinkError?.(error, sink, stamped, failed === undefined);
        continue;
      }
      if (failed !== undefined) {
        this.failingSinks.delete(sink);
        this.options.onSinkRecovered?.(sink, stamped, failed);
      }
    }
    const frame: OutboundFrame = { data: Buffer.from(json), sheddable };
    this.replay.push({ seq: stamped.seq, frame });
    for (const client of this.clients) client.send(frame);
    this.options.onPublished?.(stamped, this.clients.size);
  }

  private hold(event: LogEvent): void {
    const droppable = (event.level === 'DEBUG' && !NEVER_SHED.has(event.event_type)) || this.backtestSessions.has(event.session_id);
    this.held.push(event, droppable);
    this.syncHealth();
    this.options.onHold?.();
  }

  private fail(error: unknown): void {
    const h = this.health;
    const problem = describeSqliteError(error);
    if (this.retryTimer !== null) {
      h.problem = problem;
      return;
    }
    h.problem = problem;
    h.since = Date.now();
    h.failuresTotal++;
    // Held too (after the failed event), so the journal and the recording say when and why it stopped.
    const notice = this.options.failureEvent?.(problem) ?? null;
    if (notice) this.notify(notice);
    this.failureNotice = notice;
    this.retryTimer = setInterval(() => this.retry(), this.options.retryMs ?? 1000);
    this.retryTimer.unref();
    this.syncHealth();
  }

  private retry(): void {
    const journal = this.options.journal;
    if (!journal || (this.retryTimer === null && this.held.length === 0)) return;
    try {
      journal.probe();
    } catch (error) {
      this.health.problem = describeSqliteError(error);
      return;
    }
    // A write reported as failed may still have committed (an I/O error after the commit):
    // the reopened journal says so, and those events go out with the seq they were given.
    while (journal.lastSeq > this.seq && this.held.length > 0) {
      const stamped = { ...this.held.peek()!, seq: this.seq + 1 } as SequencedEvent;
      this.held.shift();
      this.fanOut(stamped, JSON.stringify(stamped), stamped.level === 'DEBUG' && !NEVER_SHED.has(stamped.event_type));
    }
    let written = 0;
    while (this.held.length > 0) {
      // In batches, one transaction each: a commit per event would need far more room.
      const batch = this.held.peekMany(512).map((event, k) => {
        const stamped = { ...event, seq: this.seq + 1 + k } as SequencedEvent;
        return { event: stamped, json: JSON.stringify(stamped), sheddable: stamped.level === 'DEBUG' && !NEVER_SHED.has(stamped.event_type) };
      });
      try {
        journal.recordMany(batch);
      } catch (error) {
        this.fail(error);
        this.syncHealth();
        return;
      }
      for (const item of batch) {
        this.held.shift();
        this.fanOut(item.event, item.json, item.sheddable);
      }
      written += batch.length;
    }
    const h = this.health;
    const recovery: JournalRecovery = { written, dropped: this.held.dropped, downMs: Date.now() - (h.since ?? Date.now()), problem: h.problem ?? '' };
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    h.problem = null;
    h.since = null;
    h.recoveriesTotal++;
    h.droppedTotal += this.held.dropped;
    this.held.dropped = 0;
    this.syncHealth();
    const event = this.options.recoveryEvent?.(recovery);
    if (event) this.publish(event);
  }

  private syncHealth(): void {
    const h = this.health;
    h.heldEvents = this.held.length;
    h.heldBytes = this.held.bytes;
    h.full = this.held.full;
  }

  /**
   * Refills the replay buffer with events sent before a restart (from the journal), so a
   * client that was connected to the previous process can resume without a gap.
   */
  preload(events: readonly { seq: number; json: string; sheddable: boolean }[]): void {
    for (const e of events) {
      if (e.seq > this.seq) continue;
      this.replay.push({ seq: e.seq, frame: { data: Buffer.from(e.json), sheddable: e.sheddable } });
    }
  }

  /** What a client that last saw `lastSeq` has missed, and whether some of it is gone. */
  planResume(lastSeq: number): ResumePlan {
    const firstAvailableSeq = this.replay.firstSeq();
    const entries = this.replay.since(lastSeq);
    if (lastSeq > this.seq) return { entries: [], gap: true, ahead: true, firstAvailableSeq };
    const firstWanted = lastSeq + 1;
    const gap = firstWanted <= this.seq && (firstAvailableSeq === null || firstAvailableSeq > firstWanted);
    return { entries, gap, ahead: false, firstAvailableSeq };
  }
}
