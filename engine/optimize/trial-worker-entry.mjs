// The pool's thread entry. Node does not carry the parent's `--import tsx` loader hooks into
// worker threads, so each thread registers tsx itself before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./trial-worker.ts');

export const runTrials = worker.runTrials;
export const overfitting = worker.overfitting;
