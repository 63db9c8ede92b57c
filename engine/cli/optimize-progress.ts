/** The optimiser's progress line on stderr: trials done, trials/s and the time left. */
export class OptimizeProgress {
  private readonly started = Date.now();
  private last = 0;

  constructor(private readonly label: string) {}

  update(done: number, planned: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const fraction = planned > 0 ? Math.min(1, done / planned) : 1;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? formatDuration((planned - done) / rate) : '-';
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${planned.toLocaleString('en-US')} ${rate.toFixed(1)} trials/s ETA ${eta}   `);
  }

  done(done: number, planned: number): void {
    this.update(done, planned, true);
    process.stderr.write('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
