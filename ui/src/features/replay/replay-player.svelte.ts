import type { LogEvent } from '../../../../protocol/index.ts';
import { parseTimestamp } from '../../../../protocol/index.ts';
import { reduceAll } from '../../core/reducer.ts';
import { initialState, type WorkbenchState } from '../../core/state.ts';

/** Replay speeds: multiples of recorded time, and `Infinity` for as fast as the page can fold. */
export const SPEEDS = [1, 2, 5, 10, 50, 100, 1000, Infinity] as const;
/** A quiet stretch of the recording is shortened to this much recorded time. */
const MAX_GAP_MS = 2000;
/** Events folded per frame at full speed: fast, yet the page keeps painting. */
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
    for (const e of events) this.times.push(parseTimestamp(e.timestamp));
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

  private tick(now: number): void {
    if (!this.playing) return;
    const elapsed = Math.min(250, now - this.lastFrame);
    this.lastFrame = now;
    let target = this.position;
    if (this.speed === Infinity) target = Math.min(this.events.length, this.position + MAX_PER_FRAME);
    else {
      this.clock += elapsed * this.speed;
      const next = this.times[this.position];
      if (next !== undefined && next - this.clock > MAX_GAP_MS) this.clock = next - MAX_GAP_MS;
      while (target < this.events.length && this.times[target] <= this.clock && target - this.position < MAX_PER_FRAME) target++;
    }
    this.advanceTo(target);
    if (this.ended) this.pause();
    else this.frame = requestAnimationFrame((t) => this.tick(t));
  }
}
