// Cross-checks our candlestick patterns against an independent implementation, the npm package
// `technicalindicators`, bar by bar over the real USDCHF fixture history. Run it to print the
// table that plugins/lib/candlestick-patterns/README.md holds:
//   npx tsx tests/plugins/lib/candlestick-patterns/cross-check.ts [H1|H4]
import * as ti from 'technicalindicators';
import { PATTERNS, detectPatternMask, patternBit } from '../../../../plugins/lib/candlestick-patterns/index.ts';
import type { BarSeries, Timeframe } from '../../../../engine/plugin-api.ts';
import { usdchfHistory } from '../../fixture-history.ts';

interface Window { open: number[]; high: number[]; low: number[]; close: number[] }
type Finder = (data: Window) => boolean;

/** Our pattern name -> their detector and how many candles it looks at (ending at our bar). */
const THEIRS: Readonly<Record<string, { readonly finder: Finder; readonly candles: number; readonly note: string }>> = {
  'Bullish Engulfing': { finder: ti.bullishengulfingpattern, candles: 2, note: 'bullishengulfingpattern' },
  'Bearish Engulfing': { finder: ti.bearishengulfingpattern, candles: 2, note: 'bearishengulfingpattern' },
  Hammer: { finder: ti.hammerpatternunconfirmed, candles: 5, note: 'hammerpatternunconfirmed' },
  'Inverted Hammer': { finder: (w) => ti.bullishinvertedhammerstick(w) || ti.bearishinvertedhammerstick(w), candles: 1, note: 'bullish|bearish invertedhammerstick (shape only)' },
  'Shooting Star': { finder: ti.shootingstarunconfirmed, candles: 5, note: 'shootingstarunconfirmed' },
  'Hanging Man': { finder: ti.hangingmanunconfirmed, candles: 5, note: 'hangingmanunconfirmed' },
  Doji: { finder: ti.doji, candles: 1, note: 'doji' },
  'Dragonfly Doji': { finder: ti.dragonflydoji, candles: 1, note: 'dragonflydoji' },
  'Gravestone Doji': { finder: ti.gravestonedoji, candles: 1, note: 'gravestonedoji' },
  'Morning Star': { finder: ti.morningstar, candles: 3, note: 'morningstar' },
  'Evening Star': { finder: ti.eveningstar, candles: 3, note: 'eveningstar' },
  'Bullish Harami': { finder: ti.bullishharami, candles: 2, note: 'bullishharami' },
  'Bearish Harami': { finder: ti.bearishharami, candles: 2, note: 'bearishharami' },
  'Piercing Line': { finder: ti.piercingline, candles: 2, note: 'piercingline' },
  'Dark Cloud Cover': { finder: ti.darkcloudcover, candles: 2, note: 'darkcloudcover' },
  'Three White Soldiers': { finder: ti.threewhitesoldiers, candles: 3, note: 'threewhitesoldiers' },
  'Three Black Crows': { finder: ti.threeblackcrows, candles: 3, note: 'threeblackcrows' },
  'Tweezer Top': { finder: ti.tweezertop, candles: 5, note: 'tweezertop' },
  'Tweezer Bottom': { finder: ti.tweezerbottom, candles: 5, note: 'tweezerbottom' },
};

export interface AgreementRow {
  readonly pattern: string;
  readonly theirs: string;
  readonly ours: number;
  readonly them: number;
  readonly both: number;
  /** Bars where the two agree (both fire or both do not), over all bars compared. */
  readonly barAgreement: number;
  /** both / (ours + them - both): agreement on the bars where either fires; NaN if neither ever does. */
  readonly overlap: number;
}

function windowOf(s: BarSeries, i: number, n: number): Window {
  const w: Window = { open: [], high: [], low: [], close: [] };
  for (let k = i - n + 1; k <= i; k++) {
    w.open.push(s.open[k]); w.high.push(s.high[k]); w.low.push(s.low[k]); w.close.push(s.close[k]);
  }
  return w;
}

/** Agreement per pattern over bars 5..end of the series (every detector has its history there). */
export function crossCheck(series: BarSeries): AgreementRow[] {
  const start = 6;
  const bars = series.length - start;
  return PATTERNS.map((p) => {
    const { finder, candles, note } = THEIRS[p.name];
    const bit = patternBit(p.name);
    let ours = 0, them = 0, both = 0;
    for (let i = start; i < series.length; i++) {
      const a = (detectPatternMask(series, i) & bit) !== 0;
      const b = finder(windowOf(series, i, candles)) === true;
      if (a) ours++;
      if (b) them++;
      if (a && b) both++;
    }
    const either = ours + them - both;
    return { pattern: p.name, theirs: note, ours, them, both, barAgreement: 1 - (either - both) / bars, overlap: either === 0 ? NaN : both / either };
  });
}

/** The agreement table as Markdown. */
export function agreementTable(rows: readonly AgreementRow[], label: string): string {
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  return [
    `| ${label} pattern | technicalindicators | ours | theirs | both | bar agreement | overlap (both/either) |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.pattern} | \`${r.theirs}\` | ${r.ours} | ${r.them} | ${r.both} | ${pct(r.barAgreement)} | ${pct(r.overlap)} |`),
  ].join('\n');
}

export function main(timeframe: Timeframe = 'H1'): void {
  const series = usdchfHistory(timeframe);
  console.log(`USDCHF ${timeframe}, ${series.length} bars\n`);
  console.log(agreementTable(crossCheck(series), `USDCHF ${timeframe}`));
}

if (import.meta.url === `file://${process.argv[1]}`) main((process.argv[2] as Timeframe | undefined) ?? 'H1');
