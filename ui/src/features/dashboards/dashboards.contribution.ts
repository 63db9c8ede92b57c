import { registry } from '../../platform/registry.ts';
import DashboardsView from './DashboardsView.svelte';
import PerformanceDashboard from './PerformanceDashboard.svelte';
import WeeklyDashboard from './WeeklyDashboard.svelte';

registry.registerActivity({ id: 'dashboards', title: 'Dashboards', icon: 'M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z', order: 20 });
registry.registerView({ id: 'dashboards', title: 'Dashboards', location: 'sidebar', activity: 'dashboards', order: 10, component: DashboardsView });
registry.registerEditor({ type: 'dashboard:performance', component: PerformanceDashboard });
registry.registerEditor({ type: 'dashboard:weekly', component: WeeklyDashboard });

export const PERFORMANCE_INPUT = { type: 'dashboard:performance', id: 'dashboard:performance', title: 'Performance' } as const;
export const WEEKLY_INPUT = { type: 'dashboard:weekly', id: 'dashboard:weekly', title: 'Weekly trades' } as const;

registry.registerCommand({ id: 'dashboards.performance', title: 'Open Performance Dashboard', category: 'Dashboards', keybinding: ['Ctrl+Alt+P'], run: (ctx) => ctx.openEditor(PERFORMANCE_INPUT) });
registry.registerCommand({ id: 'dashboards.weekly', title: 'Open Weekly Trades Dashboard', category: 'Dashboards', keybinding: ['Ctrl+Alt+W'], run: (ctx) => ctx.openEditor(WEEKLY_INPUT) });
