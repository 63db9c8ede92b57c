import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseParam, ParamSpace, validateAxes, ParamError } from '../../../engine/optimize/param-space.ts';
import { allOf, parseConstraint } from '../../../engine/optimize/constraints.ts';
import { resolveObjective } from '../../../engine/optimize/objectives.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';

const throwsParam = (f: () => unknown, pattern: RegExp) => {
  try {
    f();
  } catch (err) {
    assert.instance(err, ParamError);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable('expected a ParamError');
};

test('a range from:to:step includes both ends, and a list keeps its order', () => {
  assert.equal(parseParam('fast=5:50:5').values, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
  assert.equal(parseParam('x=0.1:0.5:0.1').values, [0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.equal(parseParam('fast=5,10,20').values, [5, 10, 20]);
  assert.equal(parseParam('mode=a,true,3').values, ['a', true, 3]);
});

test('ranges in exponent notation keep their values exactly (reviewer finding 2: 1e-1:5e-1:1e-1 gave 0,0,0,0,1)', () => {
  assert.equal(parseParam('x=1e-1:5e-1:1e-1').values, [0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.equal(parseParam('x=1:2:1e-1').values, [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2]);
  assert.equal(parseParam('x=2.5e-3:1e-2:2.5e-3').values, [0.0025, 0.005, 0.0075, 0.01]);
  assert.equal(parseParam('x=1e2:3E2:1e2').values, [100, 200, 300]);
});

test('a range whose values would repeat as numbers is refused naming the parameter', () => {
  // Before review 2 (finding 7) the 12-decimal cap merged 0 and 1e-13 here; the range is now exact (below), and
  // only steps finer than a double's ~16 significant digits still merge.
  throwsParam(() => parseParam('stopBufferAtr=1:1.0000000000000000001:1e-19'), /--param "stopBufferAtr=1:1.0000000000000000001:1e-19": stopBufferAtr would take the value 1 twice \(a number holds about 16 significant digits\); use a coarser step/);
  throwsParam(() => parseParam('x=1e-1,0.1'), /the list repeats a value/);
});

test('ranges are exact decimals with no 12-decimal cap: distinct values stay distinct and nothing is silently rounded (review 2, finding 7)', () => {
  assert.equal(parseParam('stopBufferAtr=0:1e-12:1e-13').values, [0, 1e-13, 2e-13, 3e-13, 4e-13, 5e-13, 6e-13, 7e-13, 8e-13, 9e-13, 1e-12]);
  assert.equal(parseParam('x=1e-13:5e-13:1e-13').values, [1e-13, 2e-13, 3e-13, 4e-13, 5e-13], 'refused before as "the value 0 twice"');
  const v = parseParam('x=1.23456789012345e-5:2e-5:1e-6').values;
  assert.is(v[0], 1.23456789012345e-5, 'the start was rounded to 0.000012345679');
  assert.is(v[1], 1.33456789012345e-5);
  assert.is(v.length, 8);
  assert.equal(parseParam('x=0.1:0.3:0.1').values, [0.1, 0.2, 0.3]);
  assert.equal(parseParam('x=1.005:1.035:0.01').values, [1.005, 1.015, 1.025, 1.035]);
  assert.equal(parseParam('x=-.5:.5:.25').values, [-0.5, -0.25, 0, 0.25, 0.5]);
});

test('hex, binary and octal numbers are refused as data cells refuse them, naming the parameter (review 2, finding 7: 0x0:0xA:0x2 ran 0..10)', () => {
  throwsParam(() => parseParam('x=0x0:0xA:0x2'), /--param "x=0x0:0xA:0x2": x's from "0x0" is not a decimal number/);
  throwsParam(() => parseParam('x=0:10:0b10'), /x's step "0b10" is not a decimal number/);
  throwsParam(() => parseParam('fast=1,0x1'), /--param "fast=1,0x1": fast's value "0x1" is not a decimal number/);
  throwsParam(() => parseParam('fast=5,0o7'), /fast's value "0o7" is not a decimal number/);
  assert.equal(parseParam('mode=a,0x').values, ['a', '0x'], 'a word that is no number stays a string');
});

test('a range too long names its count with thousands separators (review 2, finding 7: "1000001 values")', () => {
  throwsParam(() => parseParam('x=0:1000000:1'), /--param "x=0:1000000:1": 1,000,001 values is more than 1,000,000/);
  throwsParam(() => parseParam('x=0:1:1e-12'), /1,000,000,000,001 values is more than 1,000,000/);
});

test('bad ranges are refused with the spec and the reason', () => {
  throwsParam(() => parseParam('fast=50:5:1'), /ends \(5\) before it starts \(50\)/);
  throwsParam(() => parseParam('fast=5:50:0'), /step must be positive/);
  throwsParam(() => parseParam('fast=5:50'), /from:to:step/);
  throwsParam(() => parseParam('fast=a:b:1'), /must be numbers/);
  throwsParam(() => parseParam('fast'), /name=from:to:step/);
  throwsParam(() => parseParam('fast=1,,2'), /empty item/);
  throwsParam(() => parseParam('fast=0:1e9:1'), /more than 1,000,000/);
});

test('an unknown parameter names the plugin\'s parameters; a value its codec refuses names the field', () => {
  throwsParam(() => validateAxes(smaCrossover, [parseParam('fats=5:10:1')]), /"sma-crossover" has no parameter "fats"; its parameters: fast, slow, stopLossPoints, takeProfitPoints/);
  throwsParam(() => validateAxes(smaCrossover, [parseParam('fast=5,ten')]), /fast=ten: .*fast: expected positive integer, got "ten"/);
  validateAxes(smaCrossover, [parseParam('fast=5:10:1'), parseParam('slow=20,40')]);
});

test('the grid addresses every combination once, the last parameter fastest', () => {
  const space = new ParamSpace([parseParam('a=1:3:1'), parseParam('b=10,20')]);
  assert.is(space.size, 6);
  assert.equal(Array.from({ length: 6 }, (_, i) => space.at(i)), [
    { a: 1, b: 10 }, { a: 1, b: 20 }, { a: 2, b: 10 }, { a: 2, b: 20 }, { a: 3, b: 10 }, { a: 3, b: 20 },
  ]);
  for (let i = 0; i < 6; i++) assert.is(space.indexOf(space.digits(i)), i);
  throwsParam(() => new ParamSpace([parseParam('a=1,2'), parseParam('a=3,4')]), /given twice/);
});

test('constraints skip combinations: "fast<slow", factors, and the plugin\'s own constraint', () => {
  const c = parseConstraint('fast<slow', ['fast', 'slow']);
  assert.ok(c({ fast: 5, slow: 20 }));
  assert.not.ok(c({ fast: 20, slow: 20 }));
  assert.ok(parseConstraint('2*fast<=slow', ['fast', 'slow'])({ fast: 10, slow: 20 }));
  assert.not.ok(parseConstraint('fast*2.5<=slow', ['fast', 'slow'])({ fast: 10, slow: 20 }));
  assert.not.ok(parseConstraint('fast>=12', ['fast'])({ fast: 11 }));
  throwsParam(() => parseConstraint('fast<slwo', ['fast', 'slow']), /unknown parameter "slwo"/);
  throwsParam(() => parseConstraint('fast slow', ['fast', 'slow']), /one of/);
  const valid = allOf([(p) => smaCrossover.constraint!(p as never)], smaCrossover.defaultConfig);
  assert.ok(valid({ fast: 5 }));
  assert.not.ok(valid({ fast: 40 }), 'slow stays 30 from the base config');
});

test('objectives: drawdown is minimised, an unknown objective lists the choices', () => {
  assert.is(resolveObjective('drawdown', smaCrossover).direction, 'min');
  throwsParam(() => resolveObjective('profit', smaCrossover), /not one of net-profit, profit-factor, sharpe, recovery-factor, expected-payoff, drawdown, weeks-in-band/);
  const custom = resolveObjective('calmar-ish', { ...smaCrossover, objectives: { 'calmar-ish': (m) => m.netProfit / (m.maxDrawdown || 1) } });
  assert.is(custom.value({ netProfit: 100, maxDrawdown: 50 } as never), 2);
});

test.run();
