import { registry } from '../../platform/registry.ts';
import OptimisationsList from './OptimisationsList.svelte';
import OptimisationEditor from './OptimisationEditor.svelte';
import StartOptimisationForm from './StartOptimisationForm.svelte';
import { command, listOptimisations, openOptimisation, optimisationInput, START_FORM_INPUT } from './optimisation-service.svelte.ts';

registry.registerView({ id: 'optimisations', title: 'Optimisations', location: 'sidebar', activity: 'explorer', order: 35, component: OptimisationsList });
registry.registerEditor({ type: 'optimisation', component: OptimisationEditor });
registry.registerEditor({ type: 'optimisation-form', component: StartOptimisationForm });

registry.registerCommand({ id: 'optimisation.start', title: 'Start Optimisation…', category: 'Optimisation', run: (ctx) => ctx.openEditor(START_FORM_INPUT) });

registry.registerCommand({
  id: 'optimisation.open',
  title: 'Open Optimisation Recording…',
  category: 'Optimisation',
  run: async (ctx) => {
    const list = await listOptimisations(ctx.session);
    if (list.length === 0) return ctx.notify('The server has no optimisation recordings yet');
    const name = await ctx.pick('Optimisation to open', list.map((o) => ({ id: o.name, label: o.name, detail: o.modified })));
    if (!name) return;
    const problem = await openOptimisation(ctx.session, name);
    if (problem) ctx.notify(problem, 'error');
    else ctx.openEditor(optimisationInput(name));
  },
});

registry.registerCommand({
  id: 'optimisation.cancel',
  title: 'Cancel Optimisation',
  category: 'Optimisation',
  run: async (ctx) => {
    // Optimisations are the server's, not a replay's: the live state.
    const state = ctx.session.live;
    const id = [...state.optimisationOrder].reverse().find((o) => !state.optimisations[o].finished);
    if (!id) return ctx.notify('No optimisation is running');
    const r = await command(ctx.session, { type: 'cancel_optimisation', optimisation_id: id });
    ctx.notify(r.ok ? r.reason : `Not cancelled: ${r.reason}`, r.ok ? 'info' : 'error');
  },
});
