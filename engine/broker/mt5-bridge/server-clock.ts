import type { EaMessage, EngineMessage } from './bridge-protocol.ts';

/** No trade server runs further from UTC than the world's time zones (UTC-12 to UTC+14). */
export const MAX_SERVER_OFFSET_S = 14 * 3_600;

/**
 * A time the terminal reports (the trade server's clock, epoch ms as if it were UTC) as UTC:
 * most brokers run their servers at UTC+2/+3 (EET/EEST), and everything in tradeloom is UTC.
 *
 * @example serverToUtc(Date.UTC(2026, 0, 9, 23, 30), 7_200) // Date.UTC(2026, 0, 9, 21, 30)
 */
export function serverToUtc(serverMs: number, offsetS: number): number {
  return serverMs - offsetS * 1_000;
}

/** A UTC time as the trade server's clock reads it (the bounds of a history request). */
export function utcToServer(utcMs: number, offsetS: number): number {
  return utcMs + offsetS * 1_000;
}

/**
 * Every time in a message from the EA moved to UTC: tick, bar, deal and position times, in the
 * live stream and in history, lookup and resync replies alike. The only place the bridge converts
 * incoming times, so nothing else in the engine ever sees the server's clock. Messages without a
 * time come back as they are.
 */
export function messageToUtc(message: EaMessage, offsetS: number): EaMessage {
  if (offsetS === 0) return message;
  const at = (time: number) => serverToUtc(time, offsetS);
  const timed = <T extends { time: number }>(item: T): T => ({ ...item, time: at(item.time) });
  switch (message.type) {
    case 'tick':
    case 'bar':
      return timed(message);
    case 'deal':
      return { ...message, deal: timed(message.deal) };
    case 'deals':
      return { ...message, deals: message.deals.map(timed) };
    case 'positions':
      return { ...message, positions: message.positions.map(timed) };
    case 'found':
      return { ...message, deals: message.deals.map(timed), positions: message.positions.map(timed) };
    case 'bars':
      return { ...message, bars: message.bars.map(timed) };
    default:
      return message; // hello, auth, heartbeat (the EA's uptime), symbol, account, order_result, error: no broker times
  }
}

/** The time bounds of a request moved to the trade server's clock, which the EA filters by (`to` 0 stays "up to now"). */
export function messageToServer(message: EngineMessage, offsetS: number): EngineMessage {
  if (offsetS === 0) return message;
  const at = (time: number) => utcToServer(time, offsetS);
  switch (message.type) {
    case 'deals_get':
      return { ...message, from: at(message.from), to: at(message.to) };
    case 'history':
      return { ...message, from: at(message.from), to: message.to === 0 ? 0 : at(message.to) };
    case 'lookup':
      return { ...message, from: at(message.from) };
    default:
      return message;
  }
}

/** Why an offset the EA reported cannot be used, or null when it can. */
export function badServerOffset(offsetS: unknown): string | null {
  if (typeof offsetS !== 'number' || !Number.isFinite(offsetS)) return `not a number (${String(offsetS)})`;
  if (Math.abs(offsetS) > MAX_SERVER_OFFSET_S) return `${offsetS} s is beyond ±${MAX_SERVER_OFFSET_S} s (UTC-12 to UTC+14)`;
  return null;
}

/** "UTC+2", "UTC-3:30", "UTC": for the log. */
export function describeOffset(offsetS: number): string {
  if (offsetS === 0) return 'UTC';
  const minutes = Math.round(Math.abs(offsetS) / 60);
  const hm = minutes % 60 === 0 ? `${minutes / 60}` : `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
  return `UTC${offsetS < 0 ? '-' : '+'}${hm}`;
}

const QUARTER_HOUR_MS = 900_000;

/**
 * The trade server's offset from UTC as the EA last reported it: in its hello at every
 * (re)connection, then on heartbeats (a DST change moves it; what was converted before stays).
 * An EA that reports none (before 1.20) is warned about once, naming the consequence, and its
 * times are taken as UTC (offset 0); the first fresh tick then says which offset it suggests,
 * without applying it (a guess from two clocks is not a report).
 */
export class ServerClock {
  /** Seconds the trade server's clock is ahead of UTC. */
  offsetS = 0;
  private known = false;
  private warnedMissing = false;
  private hinted = false;

  constructor(private readonly report: (text: string) => void, private readonly now: () => number = Date.now) {}

  /** A new session: its hello's `server_offset_s` (undefined: an older EA). */
  startSession(offsetS: number | undefined, ea: string): void {
    if (offsetS === undefined) {
      this.known = false;
      this.offsetS = 0;
      if (this.warnedMissing) return;
      this.warnedMissing = true;
      this.report(`mt5-bridge: the EA (${ea}) sends no "server_offset_s" in its hello: it is older than TradeloomBridge 1.20. `
        + 'Deal, position, tick and bar times are taken as UTC (offset 0), but MT5 reports them on the trade server\'s clock (often UTC+2/+3): '
        + 'TRADE_EXIT timestamps, entry times and the trading week may be hours off. Install the current TradeloomBridge.mq5');
      return;
    }
    this.update(offsetS, `hello of ${ea}`);
  }

  /** A report of the offset; a change is logged (DST), a bad value is reported and ignored. */
  update(offsetS: number, where: string): void {
    const bad = badServerOffset(offsetS);
    if (bad) {
      this.report(`mt5-bridge: "server_offset_s" in the ${where}: ${bad}; keeping ${describeOffset(this.offsetS)}`);
      return;
    }
    if (this.known && offsetS === this.offsetS) return;
    const was = this.known ? describeOffset(this.offsetS) : null;
    this.known = true;
    this.offsetS = offsetS;
    if (was !== null) this.report(`mt5-bridge: the trade server's clock moved from ${was} to ${describeOffset(offsetS)} (daylight saving time, or the broker moved its server): later times are converted with the new offset`);
  }

  /** An EA message with its times in UTC. */
  toUtc(message: EaMessage): EaMessage {
    if (!this.known && !this.hinted && message.type === 'tick') this.hint(message.time);
    return messageToUtc(message, this.offsetS);
  }

  /** An engine request with its time bounds on the trade server's clock. */
  toServer(message: EngineMessage): EngineMessage {
    return messageToServer(message, this.offsetS);
  }

  /** A fresh tick is stamped within a minute of a whole quarter hour from now (the server's zone); most stale ones (a closed market's last quote) are not, and a hint is only a hint. */
  private hint(tickTime: number): void {
    const ahead = tickTime - this.now();
    const zone = Math.round(ahead / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    if (Math.abs(ahead - zone) > 60_000 || zone === 0 || badServerOffset(zone / 1_000)) return;
    this.hinted = true;
    const zoneName = describeOffset(zone / 1_000);
    this.report(`mt5-bridge: ticks from the EA are stamped ${zoneName.slice(4)} h ${zone > 0 ? 'ahead of' : 'behind'} this machine's UTC clock: the trade server is probably at ${zoneName}. `
      + 'Its times are NOT corrected (the EA reports no offset); install the current TradeloomBridge.mq5');
  }
}
