/**
 * The parts of `metaapi.cloud-sdk` the adapter uses, as a narrow interface: the packet shapes
 * MetaApi documents (string ids, `POSITION_TYPE_BUY`-style enums, Date or ISO-8601 times) and the
 * methods called on its connections. The SDK is imported lazily (metaapi-sdk-session.ts); tests
 * implement this interface with a fake that replays the documented shapes.
 */
export type MetaApiTime = Date | string;

export interface MetaApiAccountInformation {
  platform?: string; broker?: string; currency: string; server: string; balance: number; equity: number;
  margin: number; freeMargin: number; leverage: number; tradeAllowed?: boolean; login?: number; name?: string;
}

export interface MetaApiPosition {
  id: string | number; type: string; symbol: string; magic?: number; time: MetaApiTime; openPrice: number;
  currentPrice?: number; volume: number; swap?: number; profit?: number; stopLoss?: number; takeProfit?: number;
  comment?: string; clientId?: string;
}

export interface MetaApiDeal {
  id: string; type: string; entryType?: string; symbol?: string; magic?: number; time: MetaApiTime; volume?: number;
  price?: number; commission?: number; swap?: number; profit: number; positionId?: string; orderId?: string;
  comment?: string; clientId?: string; reason?: string;
}

export interface MetaApiSymbolSpecification {
  symbol: string; tickSize: number; minVolume: number; maxVolume: number; volumeStep: number; fillingModes?: string[];
  contractSize?: number; digits: number; point?: number; stopsLevel?: number; baseCurrency?: string; profitCurrency?: string;
}

export interface MetaApiSymbolPrice {
  symbol: string; bid: number; ask: number; profitTickValue?: number; lossTickValue?: number; time: MetaApiTime;
}

export interface MetaApiCandle {
  symbol: string; timeframe: string; time: MetaApiTime; open: number; high: number; low: number; close: number;
  tickVolume?: number; volume?: number;
}

/** A successful trade answer; failures are thrown as `TradeError` with the same code fields. */
export interface MetaApiTradeResponse {
  numericCode: number; stringCode: string; message: string; orderId?: string; positionId?: string;
}

export interface MetaApiTradeOptions {
  comment?: string; clientId?: string; magic?: number; slippage?: number; fillingModes?: string[];
}

/** RPC connection methods used (all exist on the SDK's RpcMetaApiConnectionInstance). */
export interface MetaApiRpc {
  getAccountInformation(): Promise<MetaApiAccountInformation>;
  getPositions(): Promise<MetaApiPosition[]>;
  /** At most `limit` (default and maximum 1,000) deals from position `offset`. */
  getDealsByTimeRange(startTime: Date, endTime: Date, offset?: number, limit?: number): Promise<{ deals: MetaApiDeal[] }>;
  getDealsByPosition(positionId: string): Promise<{ deals: MetaApiDeal[] }>;
  getSymbolSpecification(symbol: string): Promise<MetaApiSymbolSpecification>;
  getSymbolPrice(symbol: string, keepSubscription: boolean): Promise<MetaApiSymbolPrice>;
  createMarketBuyOrder(symbol: string, volume: number, stopLoss?: number, takeProfit?: number, options?: MetaApiTradeOptions): Promise<MetaApiTradeResponse>;
  createMarketSellOrder(symbol: string, volume: number, stopLoss?: number, takeProfit?: number, options?: MetaApiTradeOptions): Promise<MetaApiTradeResponse>;
  closePosition(positionId: string, options: MetaApiTradeOptions): Promise<MetaApiTradeResponse>;
  closePositionPartially(positionId: string, volume: number, options: MetaApiTradeOptions): Promise<MetaApiTradeResponse>;
}

/** SynchronizationListener callbacks used (the SDK passes `instanceIndex` first). */
export interface MetaApiEvents {
  onConnected(instanceIndex: string, replicas: number): void | Promise<void>;
  onDisconnected(instanceIndex: string): void | Promise<void>;
  onStreamClosed(instanceIndex: string): void | Promise<void>;
  onDealsSynchronized(instanceIndex: string, synchronizationId: string): void | Promise<void>;
  onDealAdded(instanceIndex: string, deal: MetaApiDeal): void | Promise<void>;
  onSymbolPriceUpdated(instanceIndex: string, price: MetaApiSymbolPrice): void | Promise<void>;
  onCandlesUpdated(instanceIndex: string, candles: MetaApiCandle[]): void | Promise<void>;
}

/** One open MetaApi account connection (streaming for events, RPC for requests). */
export interface MetaApiSession {
  readonly rpc: MetaApiRpc;
  /** `subscribeToMarketData(symbol, [{ type: 'quotes' }, { type: 'candles', timeframe: '1m' }])`. */
  subscribe(symbol: string, subscriptions: { type: string; timeframe?: string }[]): Promise<unknown>;
  listen(events: MetaApiEvents): void;
  /**
   * The SDK's `terminalState.connected`: true while any replica is connected to the terminal.
   * `onStreamClosed` fires per replica, `onDisconnected` only when the last one goes.
   */
  connected?(): boolean;
  close(): Promise<void>;
}

/** Opens a session; called again (with backoff) after the connection is lost for good. */
export type MetaApiOpener = () => Promise<MetaApiSession>;
