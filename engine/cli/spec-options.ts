import { readFileSync } from 'node:fs';
import type { SymbolSpec } from '../model/symbol-spec.ts';

/** Spec overrides by symbol: the shape of the config's `symbolSpecs` (and of a `--spec-file`). */
export type SpecOverrides = Partial<Record<string, Partial<SymbolSpec>>>;

const TEXT_FIELDS = new Set(['description', 'baseCurrency', 'profitCurrency']);
const NUMBER_FIELDS = new Set(['digits', 'point', 'contractSize', 'tickSize', 'tickValueProfit', 'volumeMin', 'volumeStep', 'volumeMax',
  'stopsLevel', 'spreadPoints', 'fillingMode', 'swapMode', 'swapLong', 'swapShort', 'swapRollover3Days']);

/**
 * The backtest CLI's symbol spec options, for any instrument (a stock, an index, a crypto CFD):
 * `--spec-file PATH` holds what the config's `symbolSpecs` holds (`{"AAPL": {"digits": 2,
 * "contractSize": 1, "baseCurrency": "AAPL", "profitCurrency": "USD"}}`), and each
 * `--spec FIELD=VALUE` sets one field of `--symbol`'s spec on top. Throws naming the file,
 * symbol and field on bad input.
 */
export function specOverrides(symbol: string, specFile: string | undefined, specArgs: readonly string[]): SpecOverrides {
  const out: Record<string, Record<string, number | string>> = {};
  if (specFile !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(specFile, 'utf8'));
    } catch (err) {
      throw new Error(`--spec-file ${specFile}: ${(err as Error).message}`);
    }
    if (!isObject(parsed)) throw new Error(`--spec-file ${specFile}: expected an object of symbols, e.g. {"${symbol}": {"digits": 2}}`);
    for (const [name, fields] of Object.entries(parsed)) {
      if (!isObject(fields)) throw new Error(`--spec-file ${specFile}: "${name}" must be an object of spec fields`);
      out[name] = {};
      for (const [field, value] of Object.entries(fields)) out[name][field] = checkField(`--spec-file ${specFile}: ${name}.${field}`, field, value);
    }
  }
  for (const arg of specArgs) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error(`--spec "${arg}": expected FIELD=VALUE, e.g. --spec digits=2`);
    const field = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    const number = Number(raw);
    const value = NUMBER_FIELDS.has(field) && raw.trim() !== '' && Number.isFinite(number) ? number : raw;
    (out[symbol] ??= {})[field] = checkField(`--spec ${arg}`, field, value);
  }
  return out as SpecOverrides;
}

function checkField(where: string, field: string, value: unknown): number | string {
  if (NUMBER_FIELDS.has(field)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where}: "${field}" must be a number, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
    return value;
  }
  if (TEXT_FIELDS.has(field)) {
    if (typeof value !== 'string' || !value) throw new Error(`${where}: "${field}" must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  }
  throw new Error(`${where}: unknown spec field "${field}" (known: ${[...TEXT_FIELDS, ...NUMBER_FIELDS].join(', ')})`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
