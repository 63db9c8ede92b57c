import { registry } from '../../platform/registry.ts';
import ProblemsPanel from './ProblemsPanel.svelte';

registry.registerView({
  id: 'problems', title: 'Problems', location: 'panel', order: 20, component: ProblemsPanel,
  badge: (state) => state.problems.length,
});
