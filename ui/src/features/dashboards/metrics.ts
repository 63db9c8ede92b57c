import type { EquityPoint } from '../../core/state.ts';
import type { LinePoint } from '../charts/chart-theme.ts';

/** Percent below the running balance peak at each point (0 at a new high, negative below). */
export function drawdownSeries(equity: readonly EquityPoint[]): LinePoint[] {
  let peak = -Infinity;
  return equity.map((p) => {
    peak = Math.max(peak, p.balance);
    return { time: p.time, value: peak > 0 ? ((p.balance - peak) / peak) * 100 : 0 };
  });
}
