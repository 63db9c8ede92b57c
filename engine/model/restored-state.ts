/**
 * What the Journal gives back after a restart (even after kill -9) and the paper bot resumes
 * from: the account, the open positions, the weekly trade count and where each feed stood.
 */
export interface RestoredPosition {
  readonly symbol: string;
  readonly positionId: number;
  readonly direction: 'buy' | 'sell';
  readonly lotSize: number;
  readonly entryPrice: number;
  readonly stopLoss: number;
  readonly takeProfit: number;
  /** Epoch ms (market time). */
  readonly entryTime: number;
  /**
   * Exit deals already booked that closed part of the position (live: DECISION `partial_close`),
   * oldest first; `lotSize` is what is left. The round trip's TRADE_EXIT adds them in.
   */
  readonly exits?: readonly PartialExit[];
}

/** A user's accepted close (`close_position`) of one position, not executed yet: that ticket on that symbol. */
export interface CloseRequest {
  readonly symbol: string;
  readonly ticket: number;
}

/** One exit deal that closed part of a position, as the journal keeps it. */
export interface PartialExit {
  readonly deal: number;
  readonly volume: number;
  readonly price: number;
  readonly profit: number;
  readonly commission: number;
  readonly swap: number;
  /** Epoch ms. */
  readonly time: number;
}

export interface RestoredState {
  readonly balance: number;
  /** Epoch ms of the start of the week the count belongs to. */
  readonly weekStart: number;
  readonly tradesThisWeek: number;
  /** Epoch ms (market time) of the last entry, or null. */
  readonly lastTradeTime: number | null;
  /** The last pace step: the multiplier it reached, its week's start and its time (epoch ms). */
  readonly aggression?: { readonly weekStart: number; readonly multiplier: number; readonly time: number };
  /** Symbols the user paused and has not resumed: they stay paused after the restart. */
  readonly paused?: readonly string[];
  /**
   * Positions the user asked to close (`close_position`, accepted) that had not closed yet, one
   * per ticket, oldest first (a symbol may have several: the bot's position and kept ones beside
   * it): each close is sent again after the restart rather than forgotten.
   */
  readonly closeRequests?: readonly CloseRequest[];
  readonly positions: readonly RestoredPosition[];
  /** Per symbol, the open time (epoch ms) of the last bar the bot processed. */
  readonly feedCursor: Readonly<Record<string, number>>;
  /** The session that was running, so a restart can say it continues it. */
  readonly lastSessionId: string | null;
}
