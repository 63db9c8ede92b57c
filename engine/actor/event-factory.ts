import { formatTimestamp, type DataOf, type EventOf, type EventType, type Level } from '../../protocol/index.ts';

/**
 * Builds immutable log events for one session. `now` is the session's clock: market time in a
 * backtest (so a backtest's recording is reproducible), wall time live.
 */
export class EventFactory {
  constructor(
    readonly sessionId: string,
    /** The session clock (epoch ms). */
    readonly now: () => number,
  ) {}

  /**
   * The time (epoch ms) of the event made last: a listener called synchronously with it reads
   * the time here rather than parsing its timestamp back (a microsecond per event).
   */
  lastAt = Number.NaN;

  /**
   * The earliest time the next event may carry: the latest event time so far, but never past the
   * session clock, so one event dated ahead of it (a live broker's deal in its server's time zone)
   * does not drag every later event forward.
   */
  private floor = Number.NaN;

  /**
   * The session has processed everything up to `at` (a bar's close in a run of several
   * symbols): a later event is stamped no earlier, as if an event had been made then. So the
   * stamps of a merged run do not depend on which events it logs (DEBUG `BAR` events or not).
   */
  reach(at: number): void {
    if (at <= this.floor) return;
    const now = this.now();
    const reached = at <= now ? at : now;
    if (!(reached <= this.floor)) this.floor = reached;
  }

  /**
   * An event at `at` (default: the session clock). The envelope's time never goes back: an
   * event whose own time is earlier than the floor (a fill inside a bar that closes after
   * another symbol's bar in a merged run) is stamped with the floor, the time the session learnt
   * of it; its own time stays in its data (TRADE_EXIT `timestamp`, TRADE_ENTRY and DECISION `time`).
   */
  make<TType extends EventType>(eventType: TType, level: Level, data: DataOf<TType>, at: number = this.now()): EventOf<TType> {
    if (at < this.floor) at = this.floor;
    this.lastAt = at;
    // The floor moves only for an event after it (or the first), and never past the clock.
    if (!(at <= this.floor)) {
      const now = this.now();
      const reached = at <= now ? at : now;
      if (!(reached <= this.floor)) this.floor = reached;
    }
    // Immutable by type (readonly everywhere it is consumed); not frozen, as Object.freeze
    // costs more than the rest of an event's construction on the backtest path.
    return { timestamp: formatTimestamp(at), session_id: this.sessionId, event_type: eventType, level, data } as unknown as EventOf<TType>;
  }
}
