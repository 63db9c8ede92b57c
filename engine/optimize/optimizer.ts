import type { TrialMetrics } from '../strategy/strategy.ts';
import type { TrialExecutor, TrialJob } from './executor.ts';
import { scoreOf, type Objective } from './objectives.ts';
import type { ParamSet, ParamSpace } from './param-space.ts';
import { trialId } from './run-spec.ts';
import { prepareSearch, type SearchOptions } from './search.ts';
import type { BarRange, WeeklyReturns } from './trial.ts';

/** A finished trial as the optimiser keeps it. */
export interface TrialRecord {
  readonly id: string;
  /** Grid index of the combination. */
  readonly index: number;
  readonly params: ParamSet;
  readonly metrics: TrialMetrics;
  /** The objective's score, higher is better (-Infinity: cannot be ranked). */
  readonly score: number;
  readonly weeklyReturns: WeeklyReturns;
}

export interface OptimiseOptions {
  readonly space: ParamSpace;
  /** False for combinations the constraints exclude. */
  readonly valid: (params: ParamSet) => boolean;
  readonly search: SearchOptions;
  readonly objective: Objective;
  readonly executor: TrialExecutor;
  /** The run's key (`runKey`), part of every trial id. */
  readonly run: string;
  readonly range?: BarRange;
  readonly signal?: AbortSignal;
  /** After each finished trial, with how many are done and how many are planned. */
  readonly onTrial?: (record: TrialRecord, done: number, planned: number) => void;
}

export interface OptimiseResult {
  /** Best first (score, then grid index). */
  readonly ranked: TrialRecord[];
  /** Trials the search planned (the genetic search's budget is an upper bound). */
  readonly planned: number;
  /** True when stopped by the signal before the search was over. */
  readonly stopped: boolean;
  /**
   * Why the search ran fewer trials than asked for: a random search over few valid combinations,
   * a genetic search that converged or could breed nothing new.
   */
  readonly note?: string;
}

/**
 * Runs a search: asks it for combinations, has the executor run them (in parallel where it
 * can), feeds the scores back, and ranks what finished.
 *
 * @example
 * const { ranked } = await optimise({ space, valid, search: { method: 'grid' }, objective, executor, run });
 */
export async function optimise(o: OptimiseOptions): Promise<OptimiseResult> {
  const validIndex = (i: number) => o.valid(o.space.at(i));
  // The grid is scanned in slices: a server's other clients are answered meanwhile.
  const { search, planned, note } = await prepareSearch(o.space, validIndex, o.search, o.signal);
  const records: TrialRecord[] = [];
  const runBatch = async (batch: number[]) => {
    const byId = new Map<string, number>();
    const jobs: TrialJob[] = batch.map((index) => {
      const params = o.space.at(index);
      const id = trialId(o.run, params, o.range);
      byId.set(id, index);
      return { id, params };
    });
    const scored = new Map<number, number>();
    await o.executor.run(jobs, o.range, (job, outcome) => {
      const index = byId.get(job.id)!;
      if (scored.has(index)) return; // a retried trial reported twice counts once
      const record: TrialRecord = { id: job.id, index, params: job.params, metrics: outcome.metrics, score: scoreOf(o.objective, outcome.metrics), weeklyReturns: outcome.weeklyReturns };
      scored.set(index, record.score);
      records.push(record);
      o.onTrial?.(record, records.length, planned);
    }, o.signal);
    // Fed back in grid order, so the genetic search breeds the same way whatever order trials finished in.
    if (!o.signal?.aborted) for (const index of batch) search.tell(index, scored.get(index) ?? -Infinity);
  };
  // A search that needs no scores to go on (grid, random) has its next batch queued behind the
  // running one, so the threads or queue workers do not wait for a batch's last trial.
  const ahead = search.independent ? 1 : 0;
  const running: Promise<void>[] = [];
  let stopped = false;
  for (let batch = search.next(); batch; batch = search.next()) {
    const run = runBatch(batch);
    run.catch(() => {}); // awaited below; this only keeps a failure while an earlier batch is awaited from counting as unhandled
    running.push(run);
    if (running.length > ahead) await running.shift();
    if (o.signal?.aborted) break;
  }
  await Promise.all(running);
  if (o.signal?.aborted) stopped = true;
  // A search that ended before the trials asked for says why (a stop by the signal is `stopped`).
  const ended = stopped ? undefined : search.endNote?.();
  const said = [note, ended].filter((x) => x !== undefined).join('; ');
  return { ranked: rank(records), planned, stopped, ...(said ? { note: said } : {}) };
}

/** Best first: score, then (among those that cannot be ranked) trials that traded before those that did not, then grid index. */
export function rank(records: readonly TrialRecord[]): TrialRecord[] {
  const flat = (r: TrialRecord) => (r.metrics.trades === 0 ? 1 : 0);
  return [...records].sort((a, b) => b.score - a.score || flat(a) - flat(b) || a.index - b.index);
}
