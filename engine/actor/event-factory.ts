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

  make<TType extends EventType>(eventType: TType, level: Level, data: DataOf<TType>, at: number = this.now()): EventOf<TType> {
    this.lastAt = at;
    // Immutable by type (readonly everywhere it is consumed); not frozen, as Object.freeze
    // costs more than the rest of an event's construction on the backtest path.
    return { timestamp: formatTimestamp(at), session_id: this.sessionId, event_type: eventType, level, data } as unknown as EventOf<TType>;
  }
}
