import type { LogEvent } from '../../protocol/index.ts';
import type { SequencedEvent } from '../journal/journal.ts';
import type { ClientChannel } from './client-channel.ts';
import { ReplayBuffer, type OutboundFrame, type ReplayEntry } from './replay-buffer.ts';

/** Something that must see every event before any client does (the Journal, the Recorder). */
export interface EventSink {
  /** `json` is the serialised event exactly as clients get it; `sheddable` marks DEBUG. */
  record(event: SequencedEvent, json: string, sheddable: boolean): void;
}

export interface BroadcasterOptions {
  /** The last sequence number already used (the journal's high-water mark after a restart). */
  readonly startSeq: number;
  readonly replayCapacity: number;
  /** Bytes the replay buffer may hold (default: no byte bound beyond the count). */
  readonly replayBytes?: number;
  readonly sinks?: readonly EventSink[];
  /** Told of every event after it went out (metrics). */
  readonly onPublished?: (event: SequencedEvent, clients: number) => void;
  /** A sink failed: the event still goes out, and the failure is reported, never swallowed. */
  readonly onSinkError?: (error: unknown, sink: EventSink, event: SequencedEvent) => void;
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
 * the sinks synchronously (journal first: what a client sees has been written), serialises it
 * once into a Buffer shared by all clients, and keeps it for `resume`.
 *
 * @example
 * const broadcaster = new Broadcaster({ startSeq: journal.lastSeq, replayCapacity: 10_000, sinks: [journal] });
 * bot.events$.subscribe((event) => broadcaster.publish(event));
 */
export class Broadcaster {
  private seq: number;
  private readonly clients = new Set<ClientChannel>();
  private readonly replay: ReplayBuffer;

  constructor(private readonly options: BroadcasterOptions) {
    this.seq = options.startSeq;
    this.replay = new ReplayBuffer(options.replayCapacity, options.replayBytes);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Bytes held for `resume`. */
  get replayBytes(): number {
    return this.replay.bytes;
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

  publish(event: LogEvent): SequencedEvent {
    const stamped = { ...event, seq: ++this.seq } as SequencedEvent;
    const json = JSON.stringify(stamped);
    const sheddable = stamped.level === 'DEBUG' && !NEVER_SHED.has(stamped.event_type);
    for (const sink of this.options.sinks ?? []) {
      try {
        sink.record(stamped, json, sheddable);
      } catch (error) {
        this.options.onSinkError?.(error, sink, stamped);
      }
    }
    const frame: OutboundFrame = { data: Buffer.from(json), sheddable };
    this.replay.push({ seq: stamped.seq, frame });
    for (const client of this.clients) client.send(frame);
    this.options.onPublished?.(stamped, this.clients.size);
    return stamped;
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
