import type { MetaApiDeal, MetaApiRpc } from './metaapi-shapes.ts';

/** MetaApi's largest (and default) page of `getDealsByTimeRange`. */
export const METAAPI_DEAL_PAGE = 1_000;

/**
 * Every deal of a time range. MetaApi answers at most 1,000 deals per call (`offset`/`limit`), so
 * one call silently misses the rest of a long history: pages are asked until a short one comes.
 */
export async function allDealsByTimeRange(rpc: Pick<MetaApiRpc, 'getDealsByTimeRange'>, from: Date, to: Date, pageSize = METAAPI_DEAL_PAGE): Promise<MetaApiDeal[]> {
  const deals: MetaApiDeal[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = (await rpc.getDealsByTimeRange(from, to, offset, pageSize)).deals;
    deals.push(...page);
    if (page.length < pageSize) return deals;
  }
}
