import { registry } from '../../platform/registry.ts';
import ProblemsPanel from './ProblemsPanel.svelte';
import { dataWarnings } from './data-warnings.ts';

registry.registerView({
  id: 'problems', title: 'Problems', location: 'panel', order: 20, component: ProblemsPanel,
  // Errors and the bot's data warnings, as an editor's problems count both.
  badge: (state) => state.problems.length + dataWarnings(state).length,
});
