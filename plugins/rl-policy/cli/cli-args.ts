/** `--name value` pairs from argv; a flag without a value is an error naming it. */
export function parseArgs(argv: readonly string[], known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}" (options: ${known.map((n) => `--${n}`).join(' ')})`);
    const name = arg.slice(2);
    if (!known.includes(name)) throw new Error(`unknown option --${name} (options: ${known.map((n) => `--${n}`).join(' ')})`);
    const value = argv[k + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`option --${name} needs a value`);
    out[name] = value;
    k++;
  }
  return out;
}

export function numberArg(args: Record<string, string>, name: string, fallback: number): number {
  if (args[name] === undefined) return fallback;
  const n = Number(args[name]);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${args[name]}"`);
  return n;
}

/** A one-line progress bar on a terminal; plain lines otherwise (CI logs stay readable). */
export function progress(label: string, done: number, total: number, extra: string): void {
  if (process.stderr.isTTY) {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${extra}\x1b[K`);
    if (done === total) process.stderr.write('\n');
  } else {
    process.stderr.write(`${label} ${done}/${total} ${extra}\n`);
  }
}
