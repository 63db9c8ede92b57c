import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_ACTION_DEAL, TRADE_RETCODE, retcodeText, type Deal, type TradeRequest, type TradeResult } from '../../model/mt5.ts';
import type { MetaApiRpc, MetaApiSymbolPrice, MetaApiTradeOptions, MetaApiTradeResponse } from './metaapi-shapes.ts';
import { retcodeOfError, successRetcode, ticketOf, toDeal } from './metaapi-mapping.ts';
import { allDealsByTimeRange } from './metaapi-history.ts';

/** MetaApi keeps comment + clientId within 26 characters. */
const COMMENT_AND_CLIENT_ID_MAX = 26;
const DAY_MS = 86_400_000;

export interface MetaApiOrderContext {
  readonly rpc: MetaApiRpc;
  price(symbol: string): MetaApiSymbolPrice | undefined;
  /** Latest trade-server time seen (quotes, deals); 0 if none yet. */
  readonly serverTime: number;
  /** How long a trade whose outcome is unknown (timeout, lost connection) is watched for a late fill (default 60 s). */
  readonly lateFillWindowMs?: number;
  /** Called when that window passes without a fill: a fill seen later is adopted (reconciliation), not repeated. */
  watchLate?(clientId: string, sentAt: number): void;
}

/**
 * Sends one MT5 trade request through MetaApi and answers in MT5's shape. Never throws: a
 * `TradeError` becomes its `numericCode`. A timeout or lost connection leaves the outcome unknown:
 * the deal history is searched for the request's `clientId` until `lateFillWindowMs` has passed
 * (the server may still be filling it). Found: DONE. Not found: 10031 saying "do not resend",
 * never a retryable 10012, and a fill arriving later is adopted by the broker's reconciliation.
 */
export async function sendMetaApiOrder(ctx: MetaApiOrderContext, request: TradeRequest, clientId: string): Promise<TradeResult> {
  const sentAt = Date.now();
  try {
    if (request.action !== TRADE_ACTION_DEAL) return failure(ctx, TRADE_RETCODE.INVALID, request, 'only market deals (TRADE_ACTION_DEAL) are supported on MetaApi');
    if (request.type !== ORDER_TYPE_BUY && request.type !== ORDER_TYPE_SELL) return failure(ctx, TRADE_RETCODE.INVALID, request, `order type ${request.type}`);
    const options: MetaApiTradeOptions = { clientId, comment: (request.comment ?? '').slice(0, COMMENT_AND_CLIENT_ID_MAX - clientId.length) || undefined };
    if (request.magic) options.magic = request.magic;
    if (request.deviation) options.slippage = request.deviation;
    let response: MetaApiTradeResponse;
    if (request.position) {
      const position = (await ctx.rpc.getPositions()).find((p) => ticketOf(p.id) === request.position);
      if (!position) return failure(ctx, TRADE_RETCODE.POSITION_CLOSED, request, `position ${request.position} is not open`);
      const closing = position.type === 'POSITION_TYPE_BUY' ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
      if (request.type !== closing) return failure(ctx, TRADE_RETCODE.INVALID, request, 'a close must be the opposite type of the position');
      response = request.volume < position.volume - 1e-9
        ? await ctx.rpc.closePositionPartially(String(position.id), request.volume, options)
        : await ctx.rpc.closePosition(String(position.id), options);
    } else {
      const sl = request.sl || undefined;
      const tp = request.tp || undefined;
      response = request.type === ORDER_TYPE_BUY
        ? await ctx.rpc.createMarketBuyOrder(request.symbol, request.volume, sl, tp, options)
        : await ctx.rpc.createMarketSellOrder(request.symbol, request.volume, sl, tp, options);
    }
    return await filled(ctx, request, response);
  } catch (err) {
    const retcode = retcodeOfError(err);
    const e = err as { stringCode?: string; name?: string; message?: string };
    if (retcode === TRADE_RETCODE.TIMEOUT || retcode === TRADE_RETCODE.CONNECTION || retcode === TRADE_RETCODE.ERROR) {
      const windowMs = ctx.lateFillWindowMs ?? 60_000;
      const deadline = Date.now() + windowMs;
      for (let wait = 50; ; wait = Math.min(wait * 2, 2_000)) {
        const found = await findByClientId(ctx, clientId, sentAt);
        if (found) {
          const price = ctx.price(request.symbol);
          return { retcode: TRADE_RETCODE.DONE, deal: found.ticket, order: found.order, volume: found.volume, price: found.price, bid: price?.bid ?? 0,
            ask: price?.ask ?? 0, comment: 'Request completed (confirmed from deal history)', request_id: 0, retcode_external: 0 };
        }
        if (retcode === TRADE_RETCODE.ERROR || Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
      }
      if (retcode !== TRADE_RETCODE.ERROR) {
        ctx.watchLate?.(clientId, sentAt);
        return failure(ctx, TRADE_RETCODE.CONNECTION, request, `${e?.stringCode ?? e?.name ?? 'error'}: ${e?.message ?? String(err)}; no fill within ${windowMs} ms, outcome unknown, do not resend: a fill arriving later is adopted and reported on reconciliation$`);
      }
    }
    return failure(ctx, retcode, request, `${e?.stringCode ?? e?.name ?? 'error'}: ${e?.message ?? String(err)}`);
  }
}

export function failure(ctx: Pick<MetaApiOrderContext, 'price'>, retcode: number, request: TradeRequest, detail: string): TradeResult {
  const price = ctx.price(request.symbol);
  return { retcode, deal: 0, order: 0, volume: request.volume, price: 0, bid: price?.bid ?? 0, ask: price?.ask ?? 0, comment: `${retcodeText(retcode)}: ${detail}`, request_id: 0, retcode_external: 0 };
}

/** Completes a successful answer with the fill (price, deal ticket) from the position's deals. */
async function filled(ctx: MetaApiOrderContext, request: TradeRequest, response: MetaApiTradeResponse): Promise<TradeResult> {
  let deal: Deal | null = null;
  if (response.positionId) {
    const { deals } = await ctx.rpc.getDealsByPosition(response.positionId).catch(() => ({ deals: [] }));
    const raw = deals.find((d) => d.orderId === response.orderId);
    deal = raw ? toDeal(raw) : null;
  }
  const price = ctx.price(request.symbol);
  const fallback = request.type === ORDER_TYPE_BUY ? price?.ask ?? 0 : price?.bid ?? 0;
  return {
    retcode: successRetcode(response.numericCode), deal: deal?.ticket ?? 0, order: ticketOf(response.orderId), volume: deal?.volume ?? request.volume,
    price: deal?.price ?? fallback, bid: price?.bid ?? 0, ask: price?.ask ?? 0, comment: response.message || response.stringCode, request_id: 0, retcode_external: 0,
  };
}

async function findByClientId(ctx: MetaApiOrderContext, clientId: string, sentAt: number): Promise<Deal | null> {
  try {
    const from = Math.min(sentAt, ctx.serverTime || sentAt) - DAY_MS;
    const deals = await allDealsByTimeRange(ctx.rpc, new Date(from), new Date(Math.max(Date.now(), ctx.serverTime) + DAY_MS));
    const raw = deals.find((d) => d.clientId === clientId);
    return raw ? toDeal(raw) : null;
  } catch {
    return null;
  }
}
