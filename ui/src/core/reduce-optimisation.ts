import type { OptimisationComplete, OptimisationProgress, OptimisationTrialRow } from '../../../protocol/index.ts';
import { OPTIMISATION_ROW_CAP, appendCapped, type OptimisationView, type WorkbenchState } from './state.ts';

/**
 * An optimisation as the workbench sees it: rows arrive with each progress message (each trial
 * once), then the end brings the recording (PBO/DSR, walk-forward). A client that joined late
 * takes the recording's trials as its rows.
 */
export function reduceOptimisation(state: WorkbenchState, msg: OptimisationProgress | OptimisationComplete): WorkbenchState {
  const id = msg.optimisation_id;
  const known = state.optimisations[id];
  const view: OptimisationView = known ?? { id, rows: [], done: 0, planned: 0, trialsPerSecond: 0, etaSeconds: null, objective: null, band: null, finished: false, stopped: false, error: null, recording: null };
  let next: OptimisationView;
  if (msg.type === 'optimisation_progress') {
    let rows = view.rows;
    for (const row of msg.rows) rows = appendCapped(rows, row, OPTIMISATION_ROW_CAP);
    next = { ...view, rows, done: msg.done, planned: msg.planned, trialsPerSecond: msg.trials_per_second, etaSeconds: msg.eta_seconds, objective: msg.objective, band: msg.band ?? view.band };
  } else {
    const recording = (msg.recording ?? null) as OptimisationView['recording'];
    const fromRecording = recording ? rowsOfRecording(recording) : [];
    next = {
      ...view, done: msg.done, planned: msg.planned, etaSeconds: 0, finished: true, stopped: msg.stopped, error: msg.error ?? null, recording,
      objective: recording?.objective ?? view.objective,
      band: recording?.band ?? view.band,
      rows: fromRecording.length > view.rows.length ? fromRecording : view.rows,
    };
  }
  return {
    ...state,
    optimisations: { ...state.optimisations, [id]: next },
    optimisationOrder: known ? state.optimisationOrder : [...state.optimisationOrder, id],
  };
}

type Recording = NonNullable<OptimisationView['recording']>;

/** A recording's trials (from `optimisation.json` or the end message) as table rows. */
export function rowsOfRecording(recording: Recording): OptimisationTrialRow[] {
  const min = recording.objective?.direction === 'min';
  return (recording.trials ?? []).map((t) => ({
    id: t.id, params: t.params, value: t.score === null ? null : min ? -t.score : t.score,
    net_profit: t.metrics.netProfit, profit_factor: t.metrics.profitFactor, sharpe: t.metrics.sharpe, max_drawdown_pct: t.metrics.maxDrawdownPct,
    trades: t.metrics.trades, weeks_within_target: t.metrics.weeksWithinTarget, weeks_total: t.metrics.weeksTotal,
  }));
}
