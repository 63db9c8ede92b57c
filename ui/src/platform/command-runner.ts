import type { CommandRunner } from './context.ts';
import type { Layout } from './layout.svelte.ts';
import type { QuickInput } from './quick-input.svelte.ts';
import { registry, type CommandContext } from './registry.ts';
import type { WorkbenchSession } from './session.svelte.ts';

/** Runs registered commands, asking first for the dangerous ones. */
export function createCommandRunner(session: WorkbenchSession, layout: Layout, quick: QuickInput): CommandRunner {
  const context: CommandContext = {
    session,
    layout,
    // Commands act on the running bot, so they read the live state even while a replay is shown.
    state: () => session.live,
    send: (message) => {
      const sent = session.send(message, { watch: true });
      if (!sent) quick.notify(`Offline: "${message.type}" was not sent`, 'error');
      return sent;
    },
    openEditor: (input) => layout.openEditor(input),
    pick: (placeholder, items) => quick.pick(placeholder, items),
    confirm: (message) => quick.confirm(message),
    notify: (message, kind) => quick.notify(message, kind),
    runCommand: (id) => runner.run(id),
  };
  // A refused command is said where the user looks, not only in Problems (issues C1, M2).
  session.onRefused((refusal) => quick.notify(`${refusal.command} refused: ${refusal.reason}`, 'error'));
  const runner: CommandRunner = {
    context,
    async run(id) {
      const command = registry.commands.get(id);
      if (!command) {
        quick.notify(`Unknown command ${id}`, 'error');
        return;
      }
      try {
        await command.run(context);
      } catch (err) {
        quick.notify(`${command.title}: ${(err as Error).message}`, 'error');
      }
    },
  };
  return runner;
}
