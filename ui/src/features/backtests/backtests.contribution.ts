import { registry } from '../../platform/registry.ts';
import type { BacktestReport } from '../../core/state.ts';
import { reportTitle } from './report-title.ts';
import BacktestsList from './BacktestsList.svelte';
import BacktestReportEditor from './BacktestReportEditor.svelte';
import RunBacktestForm from './RunBacktestForm.svelte';
import CompareEditor from './CompareEditor.svelte';
import { encodeRunKeys, type RunKey } from './compare-runs.ts';

registry.registerView({ id: 'backtests', title: 'Backtests', location: 'sidebar', activity: 'explorer', order: 30, component: BacktestsList });
registry.registerEditor({ type: 'backtest', component: BacktestReportEditor });
registry.registerEditor({ type: 'backtest-form', component: RunBacktestForm });
registry.registerEditor({ type: 'backtest-compare', component: CompareEditor });

export const RUN_FORM_INPUT = { type: 'backtest-form', id: 'backtest-form', title: 'Run backtest' } as const;

/** The editor tab of one backtest report, titled so that two runs can be told apart. */
export function backtestInput(report: BacktestReport) {
  return { type: 'backtest', id: `backtest:${report.sessionId}`, title: reportTitle(report.start), params: { session: report.sessionId } };
}

/** The Compare editor of the ticked runs; the same runs in the same order reopen the same tab. */
export function compareInput(keys: readonly RunKey[]) {
  return { type: 'backtest-compare', id: `compare:${encodeRunKeys(keys)}`, title: `Compare ${keys.length} runs`, params: { runs: encodeRunKeys(keys) } };
}

registry.registerCommand({ id: 'backtests.run', title: 'Run Backtest…', category: 'Backtests', keybinding: ['Ctrl+Alt+B'], run: (ctx) => ctx.openEditor(RUN_FORM_INPUT) });

registry.registerCommand({
  id: 'backtests.openLatest',
  title: 'Open Latest Backtest Report',
  category: 'Backtests',
  run: (ctx) => {
    const state = ctx.state();
    const id = state.backtestOrder[state.backtestOrder.length - 1];
    if (!id) return ctx.notify('No backtest has run yet');
    ctx.openEditor(backtestInput(state.backtests[id]));
  },
});
