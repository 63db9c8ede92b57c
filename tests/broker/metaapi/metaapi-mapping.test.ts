import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fillingFlags, metaApiTimeframe, retcodeOfError, successRetcode, toAccountInfo, toDeal, toPosition, toSymbolInfo } from '../../../engine/broker/metaapi/metaapi-mapping.ts';
import { DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_REASON_EXPERT, DEAL_REASON_SL, DEAL_TYPE_BUY, DEAL_TYPE_SELL, POSITION_TYPE_BUY, POSITION_TYPE_SELL, TRADE_RETCODE } from '../../../engine/model/mt5.ts';

// Packets shaped like the examples in MetaApi's documentation (string ids, string enums, ISO times).
const docDeal = {
  id: '33230099', type: 'DEAL_TYPE_BUY', entryType: 'DEAL_ENTRY_IN', symbol: 'EURUSD', magic: 1000, time: '2020-04-15T02:45:06.521Z',
  brokerTime: '2020-04-15 05:45:06.521', volume: 0.01, price: 1.09761, commission: -0.01, swap: 0, profit: 0, positionId: '46214692',
  orderId: '46214692', comment: 'COMMENT2', clientId: 'TE_GBPUSD_7hyINWqAlE', platform: 'mt5', reason: 'DEAL_REASON_EXPERT',
};
const docPosition = {
  id: '46214692', type: 'POSITION_TYPE_BUY', symbol: 'GBPUSD', magic: 1000, time: '2020-04-15T02:45:06.521Z', updateTime: '2020-04-15T02:45:06.521Z',
  openPrice: 1.26101, currentPrice: 1.24883, currentTickValue: 1, volume: 0.07, swap: 0, profit: -85.26, commission: -0.25,
  clientId: 'TE_GBPUSD_7hyINWqAlE', stopLoss: 1.17721, unrealizedProfit: -85.26, realizedProfit: 0,
};

test('a documented MetaApi deal maps to an MT5 deal: numeric tickets, enums, epoch-ms time', () => {
  assert.equal(toDeal(docDeal), {
    ticket: 33230099, order: 46214692, time: Date.parse('2020-04-15T02:45:06.521Z'), type: DEAL_TYPE_BUY, entry: DEAL_ENTRY_IN, magic: 1000,
    position_id: 46214692, reason: DEAL_REASON_EXPERT, volume: 0.01, price: 1.09761, commission: -0.01, swap: 0, profit: 0, symbol: 'EURUSD', comment: 'COMMENT2',
  });
  const exit = toDeal({ ...docDeal, type: 'DEAL_TYPE_SELL', entryType: 'DEAL_ENTRY_OUT', reason: 'DEAL_REASON_SL', time: new Date('2020-04-15T03:00:00Z') as unknown as string });
  assert.equal([exit!.type, exit!.entry, exit!.reason, exit!.time], [DEAL_TYPE_SELL, DEAL_ENTRY_OUT, DEAL_REASON_SL, Date.parse('2020-04-15T03:00:00Z')]);
});

test('balance and other non-trade deals are left out (null)', () => {
  assert.is(toDeal({ id: '1', type: 'DEAL_TYPE_BALANCE', time: '2020-04-15T02:45:06.521Z', profit: 1000 }), null);
});

test('a documented MetaApi position maps to an MT5 position; an omitted takeProfit is 0', () => {
  assert.equal(toPosition(docPosition), {
    ticket: 46214692, time: Date.parse('2020-04-15T02:45:06.521Z'), type: POSITION_TYPE_BUY, magic: 1000, identifier: 46214692, volume: 0.07,
    price_open: 1.26101, sl: 1.17721, tp: 0, price_current: 1.24883, swap: 0, profit: -85.26, symbol: 'GBPUSD', comment: '',
  });
  assert.is(toPosition({ ...docPosition, type: 'POSITION_TYPE_SELL' }).type, POSITION_TYPE_SELL);
});

test('account information maps freeMargin to margin_free and tradeAllowed to trade_allowed', () => {
  const a = toAccountInfo({ broker: 'Broker Ltd', currency: 'USD', server: 'Broker-Demo', balance: 7319.9, equity: 7306.65, margin: 184.1, freeMargin: 7120.22, leverage: 100, tradeAllowed: true, login: 50194988 });
  assert.equal(a, { login: 50194988, currency: 'USD', balance: 7319.9, equity: 7306.65, margin: 184.1, margin_free: 7120.22, leverage: 100, server: 'Broker-Demo', trade_allowed: true });
});

test('a specification and price map to SymbolInfo with MT5 filling flags and spread in points', () => {
  const s = toSymbolInfo(
    { symbol: 'EURUSD', tickSize: 0.00001, minVolume: 0.01, maxVolume: 200, volumeStep: 0.01, fillingModes: ['SYMBOL_FILLING_FOK'], contractSize: 100000, digits: 5, stopsLevel: 10, baseCurrency: 'EUR', profitCurrency: 'USD' },
    { symbol: 'EURUSD', bid: 1.1, ask: 1.10012, profitTickValue: 1, lossTickValue: 1, time: '2020-04-15T02:45:06.521Z' },
  );
  assert.equal([s.point, s.filling_mode, s.spread, s.trade_stops_level, s.trade_tick_value], [0.00001, 1, 12, 10, 1]);
  assert.is(fillingFlags(['SYMBOL_FILLING_FOK', 'SYMBOL_FILLING_IOC']), 3);
});

test('trade errors keep their numericCode; SDK transport errors map by class name; 0 means done', () => {
  assert.is(retcodeOfError({ name: 'TradeError', numericCode: 10019, stringCode: 'TRADE_RETCODE_NO_MONEY' }), TRADE_RETCODE.NO_MONEY);
  assert.is(retcodeOfError({ name: 'TimeoutError' }), TRADE_RETCODE.TIMEOUT);
  assert.is(retcodeOfError({ name: 'NotConnectedError' }), TRADE_RETCODE.CONNECTION);
  assert.is(retcodeOfError({ name: 'ValidationError' }), TRADE_RETCODE.INVALID);
  assert.is(retcodeOfError(new Error('boom')), TRADE_RETCODE.ERROR);
  assert.is(successRetcode(0), TRADE_RETCODE.DONE);
  assert.is(successRetcode(10009), TRADE_RETCODE.DONE);
});

test('timeframes map to MetaApi candle timeframes', () => {
  assert.equal((['M1', 'M5', 'M15', 'M30', 'H1', 'H4', 'D1'] as const).map(metaApiTimeframe), ['1m', '5m', '15m', '30m', '1h', '4h', '1d']);
});

test.run();
