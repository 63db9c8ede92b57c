import type { Observable } from 'rxjs';
import type { Bar } from '../model/bar.ts';
import type { Tick } from '../model/tick.ts';
import type { BrokerPort } from './broker-port.ts';
import type { Reconciliation } from './reconcile.ts';

export interface LiveTick extends Tick {
  readonly symbol: string;
  /**
   * Stamped later than this machine's clock (UTC, after the trade server's offset), though within
   * the bridge's future tolerance: a quote held from it does not make the next ticks look older.
   */
  readonly ahead?: boolean;
}

/** A closed bar (`bar.time` is its open time, UTC: the MT5 bridge converts the trade server's clock). */
export interface LiveBar { readonly symbol: string; readonly timeframe: string; readonly bar: Bar }

/**
 * What the real-account brokers (`mt5-bridge`, `metaapi`) add to the port: the live feed, the
 * reconciliation emitted on every (re)connection when the journal's positions are supplied, and
 * problems worth logging (bad input, lost sessions; never secrets).
 */
export interface LiveBrokerPort extends BrokerPort {
  readonly ticks$: Observable<LiveTick>;
  readonly bars$: Observable<LiveBar>;
  readonly reconciliation$: Observable<Reconciliation>;
  readonly problems$: Observable<string>;
}
