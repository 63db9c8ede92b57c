/**
 * Ends the process quietly when whoever reads stdout or stderr goes away (`... --json | head`):
 * the write fails with EPIPE (or the stream is destroyed) and there is no one left to tell.
 * Any other stream error is reported once on stderr (if it is still open) and exits 1.
 */
export function quietOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || err.code === 'ERR_STREAM_WRITE_AFTER_END') process.exit(process.exitCode ?? 0);
      if (stream !== process.stderr && process.stderr.writable) process.stderr.write(`backtest: cannot write output: ${err.message}\n`);
      process.exit(1);
    });
  }
}
