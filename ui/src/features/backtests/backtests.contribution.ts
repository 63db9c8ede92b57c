import { registry } from '../../platform/registry.ts';
import BacktestsList from './BacktestsList.svelte';
import BacktestReportEditor from './BacktestReportEditor.svelte';
import RunBacktestForm from './RunBacktestForm.svelte';

registry.registerView({ id: 'backtests', title: 'Backtests', location: 'sidebar', activity: 'explorer', order: 30, component: BacktestsList });
registry.registerEditor({ type: 'backtest', component: BacktestReportEditor });
registry.registerEditor({ type: 'backtest-form', component: RunBacktestForm });

export const RUN_FORM_INPUT = { type: 'backtest-form', id: 'backtest-form', title: 'Run backtest' } as const;

/** The editor tab of one backtest report. */
export function backtestInput(sessionId: string, symbol: string) {
  return { type: 'backtest', id: `backtest:${sessionId}`, title: `Backtest ${symbol}`, params: { session: sessionId } };
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
    ctx.openEditor(backtestInput(id, state.backtests[id].start.symbol));
  },
});
