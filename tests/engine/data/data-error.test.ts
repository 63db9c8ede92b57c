import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNumberCell } from '../../../engine/data/data-error.ts';
import { importMt5Bars } from '../../../engine/data/mt5-bars.ts';
import { importPriceTicks } from '../../../engine/data/price-ticks.ts';
import { importMt5Ticks } from '../../../engine/data/mt5-ticks.ts';
import { encodeLines, MT5_BARS_HEADER, MT5_TICKS_HEADER, mt5BarRow, mt5TickRow } from '../../kit/data-builders.ts';

test('a cell is a number only when written in decimal: sign, digits, one dot, exponent', () => {
  const numbers: [string, number][] = [['1.10204', 1.10204], ['-2', -2], ['+3.5', 3.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1.5E-2', 0.015], ['0', 0], ['007', 7]];
  for (const [cell, value] of numbers) assert.is(parseNumberCell(cell), value, cell);
  for (const cell of ['0x1A', '0X1a', '0b11', '0o17', 'Infinity', '-Infinity', 'NaN', '1_000', '1.2.3', '1,5', '', '.', '-', 'e5', '1e', '1e+', '--1', '1e400']) {
    assert.is(parseNumberCell(cell), undefined, cell);
  }
});

test('reviewer finding 2: hexadecimal and binary prices are bad cells naming file, line and column (before: read as 26)', () => {
  const tp = encodeLines(['time,price', '2020-01-06T14:00:00,1.10204', '2020-01-06T15:00:00,0x1A']);
  assert.throws(() => importPriceTicks(tp, { fileName: 'hexprice.csv' }), (e: Error) => e.message === 'hexprice.csv:3: column "price": "0x1A" is not a number');
  const bars = encodeLines([MT5_BARS_HEADER, mt5BarRow('2020.01.06', '00:00', '1.10000', '0x1A', '1.09950', '1.10022')]);
  assert.throws(() => importMt5Bars(bars, { fileName: 'mt5_hex.csv' }), (e: Error) => e.message === 'mt5_hex.csv:2: column "<HIGH>": "0x1A" is not a number');
  const ticks = encodeLines([MT5_TICKS_HEADER, mt5TickRow('2020.01.06', '00:00:00.000', '0b1', '1.10010')]);
  assert.throws(() => importMt5Ticks(ticks, { fileName: 'ticks.csv' }), (e: Error) => e.message === 'ticks.csv:2: column "<BID>": "0b1" is not a number');
});

test.run();
