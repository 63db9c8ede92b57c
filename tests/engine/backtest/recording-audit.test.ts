import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import { eventLog } from '../../kit/engine-builders.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditEvents, auditRecording } from '../../kit/recording-audit.ts';

/**
 * `npm run backtest -- --symbol USDCHF --timeframe H1` with the default limits and with
 * `--max-trades 4 --min-trades 2`, audited from its events alone (tests/kit/recording-audit.ts):
 * the balance chain is exact to the cent, no envelope timestamp goes backwards, every entry
 * carries its own week's multiplier, no number carries float noise, and a stop-loss filled at
 * the stop loses at most the risk budget (plus the swap it accrued).
 */
for (const [min, max] of [[3, 10], [2, 4]] as const) {
  test(`USDCHF H1 sma-crossover, ${min}-${max} trades a week: the recording passes the money and time audit`, () => {
    const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
    const log = eventLog();
    const { complete } = runBacktest({
      symbol: 'USDCHF', series, strategy: smaCrossover, governor: { minTradesPerWeek: min, maxTradesPerWeek: max }, onEvent: log.push,
    });
    const audit = auditEvents(log.events, 1);
    assert.ok(audit.exits > 900, `a real sample (${audit.exits} exits)`);
    assert.is(audit.balanceBreaks, 0, 'balance_after = previous + pnl on every exit');
    assert.is(audit.finalDriftCents, 0, 'final balance = start + sum of pnl');
    assert.is(audit.backwardsTimestamps, 0, audit.firstBackwards ?? '');
    assert.is(audit.wrongWeekMultipliers, 0);
    assert.is(audit.noisyNumbers, 0, audit.firstNoisy ?? '');
    assert.ok(audit.atStopRatios.max < 1.06, `at-stop loss / budget max ${audit.atStopRatios.max}`);
    assert.ok(audit.atStopRatios.p90 <= 1.0, `at-stop loss / budget p90 ${audit.atStopRatios.p90}`);
    // The report carries the realised risk of the losing trades.
    assert.ok(complete.realized_risk && complete.realized_risk.losing_trades > 300);
    assert.ok(complete.realized_risk.median_pct > 0.5 && complete.realized_risk.median_pct < 2.5, JSON.stringify(complete.realized_risk));
  });
}

// The recordings shipped for the Replay view are the engine's own, and pass the same audit.
const fixtures = join(import.meta.dirname, '../../../fixtures/recordings');
for (const name of readdirSync(fixtures).filter((n) => n.endsWith('.jsonl'))) {
  test(`shipped recording ${name.slice(0, 40)}…: balance chain, time order and prices pass the audit`, () => {
    const audit = auditRecording(readFileSync(join(fixtures, name), 'utf8').split('\n'));
    assert.ok(audit.exits > 20, `${audit.exits} exits`);
    assert.is(audit.balanceBreaks, 0);
    assert.is(audit.backwardsTimestamps, 0, audit.firstBackwards ?? '');
    assert.is(audit.noisyNumbers, 0, audit.firstNoisy ?? '');
  });
}

test.run();
