import { registry } from '../../platform/registry.ts';
import StateMachineEditor from './StateMachineEditor.svelte';

registry.registerEditor({ type: 'state-machines', component: StateMachineEditor });

registry.registerCommand({
  id: 'view.stateMachines',
  title: 'Show State Machines of All Symbols',
  category: 'View',
  run: (ctx) => ctx.openEditor({ type: 'state-machines', id: 'state-machines', title: 'State machines' }),
});
