import type { LogEvent } from '../../../../protocol/index.ts';
import { parseTimestamp } from '../../../../protocol/index.ts';
import { reduceAll } from '../../core/reducer.ts';
import { initialState, type WorkbenchState } from '../../core/state.ts';

/** Replay speeds: multiples of recorded time, and `Infinity` for as fast as the page can show. */
export const SPEEDS = [1, 2, 5, 10, 50, 100, 1000, Infinity] as const;
/**
 * A quiet stretch of the recording (a night, the hours between two H4 bars of a backtest) is
 * shortened to this much recorded time: at 1x the next bar comes a quarter of a second later,
 * at 10x 25 ms later, while events closer together than this keep their own pace.
 */
export const MAX_GAP_MS = 250;
/** At full speed a recording takes at least this many frames (about 4 s at 60 Hz): it runs, visibly. */
const FRAMES_AT_FULL_SPEED = 240;
/** At full speed a frame folds for about this long at most, so the page keeps painting. */
const FOLD_BUDGET_MS = 8;
/** Events folded per frame at a set speed, however far behind the clock is. */
const MAX_PER_FRAME = 4000;

/**
 * Plays a recording through the same reducer as live: play/pause, step, speed, seek.
 * The state at position `n` is the fold of the first `n` events, nothing else.
 */
export class ReplayPlayer {
  events = $state.raw<readonly LogEvent[]>([]);
  name = $state('');
  position = $state(0);
  playing = $state(false);
  speed = $state<number>(Infinity);
  state = $state.raw<WorkbenchState>(initialState());
  errors = $state.raw<readonly string[]>([]);

  private clock = 0;
  private lastFrame = 0;
  private frame = 0;
  private readonly times: number[] = [];

  constructor(private readonly onstate: (name: string, state: WorkbenchState) => void) {}

  load(name: string, events: readonly LogEvent[], errors: readonly string[] = []): void {
    this.pause();
    this.name = name;
    this.events = events;
    this.errors = errors;
    this.times.length = 0;
    // An unreadable time plays with the event before it, rather than stalling the clock.
    for (const e of events) {
      const time = parseTimestamp(e.timestamp);
      this.times.push(Number.isFinite(time) ? time : (this.times[this.times.length - 1] ?? 0));
    }
    this.seek(0);
  }

  get ended(): boolean {
    return this.position >= this.events.length;
  }

  play(): void {
    if (this.playing || this.events.length === 0) return;
    if (this.ended) this.seek(0);
    this.playing = true;
    this.clock = this.times[this.position] ?? 0;
    this.lastFrame = performance.now();
    this.frame = requestAnimationFrame((t) => this.tick(t));
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.frame);
  }

  step(count = 1): void {
    this.pause();
    this.advanceTo(Math.min(this.events.length, this.position + count));
  }

  /** Jumps to event `index`: forward folds on, backward folds again from the start. */
  seek(index: number): void {
    const target = Math.max(0, Math.min(this.events.length, Math.round(index)));
    if (target < this.position || target === 0) {
      this.position = 0;
      this.state = initialState();
    }
    this.advanceTo(target);
    this.clock = this.times[this.position] ?? this.clock;
  }

  private advanceTo(target: number): void {
    if (target > this.position) this.state = reduceAll(this.state, this.events.slice(this.position, target));
    this.position = target;
    this.onstate(this.name, this.state);
  }

  /** Jumps to the last event: what a user asks for when they want the end now. */
  end(): void {
    this.pause();
    this.seek(this.events.length);
  }

  private tick(now: number): void {
    if (!this.playing) return;
    const elapsed = Math.min(250, now - this.lastFrame);
    this.lastFrame = now;
    if (this.speed === Infinity) this.foldFrame();
    else {
      // Shorten the quiet stretch before moving on, so it lasts MAX_GAP_MS / speed of wall time.
      const next = this.times[this.position];
      if (next !== undefined && next - this.clock > MAX_GAP_MS) this.clock = next - MAX_GAP_MS;
      this.clock += elapsed * this.speed;
      let target = this.position;
      while (target < this.events.length && this.times[target] <= this.clock && target - this.position < MAX_PER_FRAME) target++;
      this.advanceTo(target);
    }
    if (this.ended) this.pause();
    else this.frame = requestAnimationFrame((t) => this.tick(t));
  }

  /** Full speed: a share of the recording per frame, in chunks while the frame's budget lasts. */
  private foldFrame(): void {
    const started = performance.now();
    const share = Math.max(1, Math.ceil(this.events.length / FRAMES_AT_FULL_SPEED));
    const stop = Math.min(this.events.length, this.position + share);
    let state = this.state;
    let position = this.position;
    while (position < stop) {
      const next = Math.min(stop, position + 64);
      state = reduceAll(state, this.events.slice(position, next));
      position = next;
      if (performance.now() - started > FOLD_BUDGET_MS) break;
    }
    this.state = state;
    this.position = position;
    this.clock = this.times[position] ?? this.clock;
    this.onstate(this.name, this.state);
  }
}
