import { DEAL_ENTRY_IN, DEAL_REASON_SL, DEAL_REASON_SO, DEAL_REASON_TP, POSITION_TYPE_BUY, type Deal, type Position } from '../model/mt5.ts';
import type { RestoredPosition } from '../model/restored-state.ts';
import { DAY_MS } from '../time/trading-week.ts';

/** What the broker looked like when the connection came back. */
export interface BrokerSnapshot {
  /** Open positions now. */
  readonly positions: readonly Position[];
  /** Deals with `since <= time <= at`. */
  readonly deals: readonly Deal[];
  /** Epoch ms the engine lost sight of the broker (or the journal's last known time). */
  readonly since: number;
  /** Epoch ms of the snapshot. */
  readonly at: number;
}

/** A position the journal does not know: the bot's to adopt if it carries its magic number, else someone else's (`splitByOwner`). */
export interface AdoptedPosition {
  readonly position: Position;
  /** The same position in the journal's shape. */
  readonly restored: RestoredPosition;
  readonly entryDeal: Deal | null;
}

/** A journal position that is gone from the broker. */
export interface ClosedWhileAway {
  readonly known: RestoredPosition;
  /** The closing deals found in the window (empty if it closed before `since` or the history is short). */
  readonly exitDeals: readonly Deal[];
  /** Volume-weighted exit price, or null without exit deals. */
  readonly exitPrice: number | null;
  readonly exitTime: number | null;
  /** Profit + commission + swap of the exit deals, account currency. */
  readonly profit: number;
  /** `stop_loss`, `take_profit`, `stop_out` or `closed` (by hand, another EA, unknown). */
  readonly reason: 'stop_loss' | 'take_profit' | 'stop_out' | 'closed';
}

/** A position open on both sides whose volume or stops changed while away. */
export interface ChangedWhileAway {
  readonly known: RestoredPosition;
  readonly position: Position;
  readonly changes: readonly ('volume' | 'sl' | 'tp')[];
  /** The position's exit deals found in the window (a part closed while away, or one the engine may already have booked), oldest first. */
  readonly exitDeals: readonly Deal[];
}

export interface Reconciliation {
  readonly since: number;
  readonly at: number;
  readonly opened: readonly AdoptedPosition[];
  readonly closed: readonly ClosedWhileAway[];
  readonly changed: readonly ChangedWhileAway[];
  /** Position ids open on both sides and unchanged. */
  readonly unchanged: readonly number[];
  /** Every deal of the window once (deduplicated by ticket), oldest first. */
  readonly deals: readonly Deal[];
  /** True when nothing happened while away. */
  readonly clean: boolean;
  /**
   * Set by the adapters when the check ran while the link was up (a position-opening deal on the
   * stream that no order claims, a late fill), not after a (re)connection: what it finds happened
   * on the terminal meanwhile, not while the engine was away.
   */
  readonly connected?: boolean;
}


/**
 * Where the first reconciliation after a start looks back from (the deals it reads): 7 days, or
 * further, to a day before the earliest position the journal knows was opened. A position closed,
 * or closed in part, while the bot was stopped longer than a week is then found with its exit
 * deals, booked and reported with its real price and profit (a 7-day window missed them).
 *
 * @example
 * firstSyncSince(journal.restore()?.positions ?? [], Date.now());
 */
export function firstSyncSince(known: readonly RestoredPosition[], now: number): number {
  let since = now - 7 * DAY_MS;
  for (const p of known) if (Number.isFinite(p.entryTime) && p.entryTime - DAY_MS < since) since = p.entryTime - DAY_MS;
  return since;
}

/**
 * Compares the journal's open positions with the broker's, after time away from it (a lost
 * connection, a restart). Pure: applying the result twice, or reconciling the same snapshot twice,
 * never adopts or closes a position twice, because positions are matched by MT5 position id.
 *
 * `ownOrder` marks broker positions the engine itself opened meanwhile (an order whose result is
 * still on its way to the actor), which are not "opened while away".
 *
 * @example
 * const r = reconcile(journal.positions, { positions, deals, since: lostAt, at: Date.now() });
 * const { own, foreign } = splitByOwner(r.opened, botMagic);
 * for (const a of own) actorFor(a.position.symbol).adopt(a.restored); // foreign: reported, left alone
 * for (const c of r.closed) actorFor(c.known.symbol).closedWhileAway(c);
 */
export function reconcile(known: readonly RestoredPosition[], snapshot: BrokerSnapshot, ownOrder: (p: Position) => boolean = () => false): Reconciliation {
  const deals = dedupeDeals(snapshot.deals);
  const brokerById = new Map<number, Position>();
  for (const p of snapshot.positions) brokerById.set(positionIdOf(p), p);
  const knownById = new Map<number, RestoredPosition>();
  for (const k of known) knownById.set(k.positionId, k);

  const opened: AdoptedPosition[] = [];
  for (const [id, position] of brokerById) {
    if (knownById.has(id) || ownOrder(position)) continue;
    const entryDeal = deals.find((d) => d.position_id === id && d.entry === DEAL_ENTRY_IN) ?? null;
    opened.push({ position, restored: toRestored(position), entryDeal });
  }

  const closed: ClosedWhileAway[] = [];
  const changed: ChangedWhileAway[] = [];
  const unchanged: number[] = [];
  for (const [id, k] of knownById) {
    const position = brokerById.get(id);
    if (!position) {
      closed.push(closedFrom(k, deals.filter((d) => d.position_id === id && d.entry !== DEAL_ENTRY_IN)));
      continue;
    }
    const changes: ('volume' | 'sl' | 'tp')[] = [];
    if (Math.abs(position.volume - k.lotSize) > 1e-9) changes.push('volume');
    if (Math.abs(position.sl - k.stopLoss) > 1e-12) changes.push('sl');
    if (Math.abs(position.tp - k.takeProfit) > 1e-12) changes.push('tp');
    if (changes.length) changed.push({ known: k, position, changes, exitDeals: deals.filter((d) => d.position_id === id && d.entry !== DEAL_ENTRY_IN) });
    else unchanged.push(id);
  }
  return {
    since: snapshot.since, at: snapshot.at, opened, closed, changed, unchanged, deals,
    clean: opened.length === 0 && closed.length === 0 && changed.length === 0,
  };
}

/** The positions of `opened` split by owner: the bot's (its magic number) and the others (the user's, other EAs'). */
export interface OpenedByOwner {
  readonly own: readonly AdoptedPosition[];
  readonly foreign: readonly AdoptedPosition[];
}

/**
 * Whose the positions opened while away are. A position the journal knows is the bot's (it is
 * never in `opened`); one it does not know is the bot's only if it carries the bot's magic number
 * (a late fill, an order the bot sent just before the link dropped). Anything else (magic 0: opened
 * by hand; another EA's magic) belongs to someone else: never adopted, never closed by the bot.
 *
 * @example
 * const { own, foreign } = splitByOwner(r.opened, 7_100_700);
 */
export function splitByOwner(opened: readonly AdoptedPosition[], magic: number): OpenedByOwner {
  const own: AdoptedPosition[] = [];
  const foreign: AdoptedPosition[] = [];
  for (const a of opened) (a.position.magic === magic ? own : foreign).push(a);
  return { own, foreign };
}

/** MT5 position id: `identifier`, which equals the ticket on MT5 (kept apart for brokers where it does not). */
export function positionIdOf(p: Position): number {
  return p.identifier || p.ticket;
}

export function toRestored(p: Position): RestoredPosition {
  return {
    symbol: p.symbol, positionId: positionIdOf(p), direction: p.type === POSITION_TYPE_BUY ? 'buy' : 'sell',
    lotSize: p.volume, entryPrice: p.price_open, stopLoss: p.sl, takeProfit: p.tp, entryTime: p.time,
  };
}

function dedupeDeals(deals: readonly Deal[]): Deal[] {
  const byTicket = new Map<number, Deal>();
  for (const d of deals) if (!byTicket.has(d.ticket)) byTicket.set(d.ticket, d);
  return [...byTicket.values()].sort((a, b) => a.time - b.time || a.ticket - b.ticket);
}

function closedFrom(known: RestoredPosition, exits: Deal[]): ClosedWhileAway {
  const out = exits;
  const volume = out.reduce((s, d) => s + d.volume, 0);
  const last = out[out.length - 1];
  const reason = !last ? 'closed'
    : last.reason === DEAL_REASON_SL ? 'stop_loss'
    : last.reason === DEAL_REASON_TP ? 'take_profit'
    : last.reason === DEAL_REASON_SO ? 'stop_out'
    : 'closed';
  return {
    known, exitDeals: out,
    exitPrice: volume > 0 ? out.reduce((s, d) => s + d.price * d.volume, 0) / volume : null,
    exitTime: last?.time ?? null,
    profit: out.reduce((s, d) => s + d.profit + d.commission + d.swap, 0),
    reason,
  };
}
