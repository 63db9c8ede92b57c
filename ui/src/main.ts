import { mount } from 'svelte';
import './workbench/theme.css';
import Workbench from './workbench/Workbench.svelte';
import { WorkbenchSession } from './platform/session.svelte.ts';
import { Layout } from './platform/layout.svelte.ts';
import { QuickInput } from './platform/quick-input.svelte.ts';
import { createCommandRunner } from './platform/command-runner.ts';
// Features register their views and commands; the workbench only reads the registry.
import './features/symbols/symbols.contribution.ts';
import './features/dashboards/dashboards.contribution.ts';
import './features/trades/trades.contribution.ts';
import './features/backtests/backtests.contribution.ts';
import './features/optimisation/optimisation.contribution.ts';
import './features/replay/replay.contribution.ts';
import './features/live-log/live-log.contribution.ts';
import './features/problems/problems.contribution.ts';
import './features/state-machine/state-machine.contribution.ts';
import './features/commands/commands.contribution.ts';
import './features/auth/auth.contribution.ts';

const session = new WorkbenchSession();
const layout = new Layout();
const quick = new QuickInput();
const commands = createCommandRunner(session, layout, quick);

mount(Workbench, { target: document.getElementById('app')!, props: { services: { session, layout, quick, commands } } });

// A replay-only page (opened from a file) works without a server; the live link still tries.
session.connect();

/** A read-only window for end-to-end tests and benchmarks (no behaviour depends on it). */
Object.assign(window, {
  __tradeloom: {
    state: () => session.view,
    live: () => session.live,
    connection: () => session.connection,
    inject: (inputs: Parameters<WorkbenchSession['enqueue']>[0]) => session.enqueue(inputs),
  },
});
