/** A one-line progress bar on stderr for terminals (never written when stderr is not a TTY). */
export class ProgressBar {
  private readonly started = Date.now();

  constructor(private readonly total: number, private readonly label: string) {}

  update(done: number): void {
    const width = 30;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(fraction * width);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '-';
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${rate} bars/s`);
  }

  done(): void {
    this.update(this.total);
    process.stderr.write('\n');
  }
}
