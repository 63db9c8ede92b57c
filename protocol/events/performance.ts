import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';

/** PERFORMANCE `data`; `max_drawdown` is a fraction of the equity peak (0.08 = 8 %). */
export const PerformanceDataCodec = t.intersection([
  t.type({
    total_trades: t.number,
    win_rate: t.number,
    total_profit: t.number,
    max_drawdown: t.number,
    weekly_target: t.type({ min_trades: t.number, max_trades: t.number, current_trades: t.number }),
  }),
  t.partial({ balance: t.number, equity: t.number, time: t.string, symbol: t.string }),
]);
export type PerformanceData = t.TypeOf<typeof PerformanceDataCodec>;
export const PerformanceCodec = envelopeOf('PERFORMANCE', PerformanceDataCodec);
export type Performance = t.TypeOf<typeof PerformanceCodec>;
