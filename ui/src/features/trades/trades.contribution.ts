import { registry } from '../../platform/registry.ts';
import TradesEditor from './TradesEditor.svelte';

export const TRADES_INPUT = { type: 'dashboard:trades', id: 'dashboard:trades', title: 'Trades' } as const;

registry.registerEditor({ type: TRADES_INPUT.type, component: TradesEditor });
registry.registerCommand({ id: 'dashboards.trades', title: 'Open Trades (positions, closed trades, profit)', category: 'Dashboards', keybinding: ['Ctrl+Alt+L'], run: (ctx) => ctx.openEditor(TRADES_INPUT) });
