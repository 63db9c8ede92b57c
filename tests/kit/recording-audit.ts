// Audits a backtest's event log (a JSONL recording or the events of a run) for the money and
// time rules, from the events alone: no engine code, so it can judge any recording, old or new.
import type { LogEvent } from '../../protocol/index.ts';

export interface RecordingAudit {
  readonly exits: number;
  readonly entries: number;
  /** Exits whose balance_after is not the previous balance + pnl, to the cent. */
  readonly balanceBreaks: number;
  /** final_balance - (starting balance + sum of TRADE_EXIT pnl), in cents. */
  readonly finalDriftCents: number;
  /** Events whose envelope timestamp is earlier than the event before. */
  readonly backwardsTimestamps: number;
  readonly firstBackwards: string | null;
  /** Entries whose aggression_multiplier is not the one their own week had reached by then. */
  readonly wrongWeekMultipliers: number;
  /** Stop-loss exits: realised loss / budget (balance before the entry × risk % × multiplier). */
  readonly stopLossRatios: Quantiles;
  /** The same for the exits filled at the stop price itself (no gap past it), their swap left out: what sizing controls. */
  readonly atStopRatios: Quantiles;
  /** Numbers with more than `maxDecimals` fractional digits anywhere in the log (float noise). */
  readonly noisyNumbers: number;
  readonly firstNoisy: string | null;
}

interface Quantiles { count: number; median: number; p90: number; max: number }

function quantiles(values: number[]): Quantiles {
  values.sort((a, b) => a - b);
  const at = (q: number) => (values.length ? values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)] : 0);
  return { count: values.length, median: at(0.5), p90: at(0.9), max: values.length ? values[values.length - 1] : 0 };
}

const WEEK_MS = 7 * 86_400_000;
/** Forex weeks start Sunday 00:00 UTC; 1970-01-04 was a Sunday. */
const weekOf = (ms: number) => Math.floor((ms - 3 * 86_400_000) / WEEK_MS);
const ms = (iso: string) => Date.parse(`${iso.slice(0, 19)}Z`);
const cents = (x: number) => Math.round(x * 100);

/**
 * `lines` are the recording's JSON lines (raw text, so float noise is seen as written);
 * `riskPercent` is the run's risk per trade (recordings do not carry it).
 */
export function auditRecording(lines: readonly string[], riskPercent = 1, maxDecimals = 8): RecordingAudit {
  const noisy = new RegExp(`\\d\\.\\d{${maxDecimals + 1},}`);
  let noisyNumbers = 0;
  let firstNoisy: string | null = null;
  let lastStamp = '';
  let backwards = 0;
  let firstBackwards: string | null = null;
  let balance = Number.NaN;
  let exits = 0;
  let entries = 0;
  let balanceBreaks = 0;
  let exitPnlCents = 0;
  let startCents = 0;
  let finalDrift = 0;
  let wrongWeek = 0;
  // The multiplier the week has reached, by week number (from increase_aggression decisions).
  const multiplier = new Map<number, number>();
  const entryBudget = new Map<number, number>();
  const entryStop = new Map<number, number>();
  const ratios: number[] = [];
  const atStop: number[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    for (const m of line.matchAll(new RegExp(noisy.source, 'g'))) {
      noisyNumbers++;
      firstNoisy ??= `${m[0]} in ${line.slice(0, 160)}`;
    }
    const event = JSON.parse(line) as LogEvent;
    if (event.timestamp < lastStamp) {
      backwards++;
      firstBackwards ??= `${event.event_type} at ${event.timestamp} after ${lastStamp}`;
    }
    if (event.timestamp > lastStamp) lastStamp = event.timestamp;
    const d = event.data as Record<string, unknown>;
    switch (event.event_type) {
      case 'BACKTEST_START':
        balance = d.starting_balance as number;
        startCents = cents(balance);
        break;
      case 'BOT_INITIALIZATION': {
        // A paper or live session: the balance it started (or resumed) with.
        const risk = (d.config as { risk_parameters?: { balance?: number } } | undefined)?.risk_parameters;
        if (risk?.balance !== undefined) {
          balance = risk.balance;
          startCents = cents(balance);
        }
        break;
      }
      case 'DECISION':
        if (d.decision === 'increase_aggression') multiplier.set(weekOf(ms(d.time as string)), d.aggression_multiplier as number);
        break;
      case 'TRADE_ENTRY': {
        entries++;
        const week = weekOf(ms(d.time as string));
        const expected = multiplier.get(week) ?? 1;
        const got = d.aggression_multiplier as number;
        if (Math.abs(got - expected) > 1e-3) wrongWeek++;
        entryBudget.set(d.position_id as number, balance * (riskPercent / 100) * got);
        entryStop.set(d.position_id as number, d.stop_loss as number);
        break;
      }
      case 'TRADE_EXIT': {
        exits++;
        const pnl = d.pnl as number;
        exitPnlCents += cents(pnl);
        if (cents(balance) + cents(pnl) !== cents(d.balance_after as number)) balanceBreaks++;
        balance = d.balance_after as number;
        const budget = entryBudget.get(d.position_id as number);
        if (d.exit_reason === 'Stop loss hit' && budget && pnl < 0) {
          ratios.push(-pnl / budget);
          // What sizing controls: the loss at the stop, before the swap the position accrued.
          if (Math.abs((d.exit_price as number) - (entryStop.get(d.position_id as number) ?? Number.NaN)) < 1e-9) atStop.push(-(pnl - ((d.swap as number | undefined) ?? 0)) / budget);
        }
        break;
      }
      case 'BACKTEST_COMPLETE':
        finalDrift = cents(d.final_balance as number) - (startCents + exitPnlCents);
        break;
    }
  }
  return {
    exits, entries, balanceBreaks, finalDriftCents: finalDrift, backwardsTimestamps: backwards, firstBackwards,
    wrongWeekMultipliers: wrongWeek,
    stopLossRatios: quantiles(ratios), atStopRatios: quantiles(atStop),
    noisyNumbers, firstNoisy,
  };
}

/** The audit of a run's events, serialised as the recorder writes them. */
export function auditEvents(events: readonly LogEvent[], riskPercent = 1): RecordingAudit {
  return auditRecording(events.map((e) => JSON.stringify(e)), riskPercent);
}
