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
   * An event at `at` (default: the session clock). The envelope's time never goes back: an
   * event whose own time is earlier than the last one's (a fill inside a bar that closes after
   * another symbol's bar in a merged run, a broker's deal time behind the clock) is stamped with
   * the last time, the time the session learnt of it; its own time stays in its data (TRADE_EXIT
   * `timestamp`, TRADE_ENTRY and DECISION `time`).
   */
  make<TType extends EventType>(eventType: TType, level: Level, data: DataOf<TType>, at: number = this.now()): EventOf<TType> {
    if (at < this.lastAt) at = this.lastAt;
    this.lastAt = at;
    // Immutable by type (readonly everywhere it is consumed); not frozen, as Object.freeze
    // costs more than the rest of an event's construction on the backtest path.
    return { timestamp: formatTimestamp(at), session_id: this.sessionId, event_type: eventType, level, data } as unknown as EventOf<TType>;
  }
}
