import type { WeekProgress } from '../strategy/strategy.ts';
import type { Governor } from '../governor/governor.ts';
import { sessionElapsed } from '../time/trading-week.ts';

/** A live, allocation-free view of the governor for strategy contexts. */
export class WeekView implements WeekProgress {
  time = 0;
  constructor(private readonly governor: Governor) {}
  get trades(): number {
    return this.governor.trades;
  }
  get min(): number {
    return this.governor.min;
  }
  get max(): number {
    return this.governor.max;
  }
  get aggression(): number {
    return this.governor.aggression;
  }
  get elapsed(): number {
    return sessionElapsed(this.time, this.governor.weekStart, this.governor.config.week);
  }
}
