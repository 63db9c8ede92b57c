import { registry } from '../../platform/registry.ts';

registry.registerCommand({
  id: 'workbench.showCommands',
  title: 'Show All Commands',
  category: 'View',
  keybinding: ['Ctrl+Shift+P', 'F1'],
  run: async (ctx) => {
    const items = [...registry.commands.values()]
      .filter((c) => c.id !== 'workbench.showCommands')
      .sort((a, b) => `${a.category}${a.title}`.localeCompare(`${b.category}${b.title}`))
      .map((c) => ({ id: c.id, label: `${c.category}: ${c.title}${c.dangerous ? ' ⚠' : ''}`, detail: c.keybinding?.join(' / ') }));
    const id = await ctx.pick('Type a command', items);
    if (id) await ctx.runCommand(id);
  },
});

registry.registerCommand({ id: 'bot.start', title: 'Start Bot', category: 'Bot', keybinding: ['Ctrl+Alt+S'], run: (ctx) => void ctx.send({ type: 'start_bot' }) });

registry.registerCommand({
  id: 'bot.stop',
  title: 'Stop Bot',
  category: 'Bot',
  dangerous: true,
  keybinding: ['Ctrl+Alt+X'],
  run: async (ctx) => {
    if (await ctx.confirm('Stop the bot? Every symbol stops scanning; open positions stay open.')) ctx.send({ type: 'stop_bot' });
  },
});

registry.registerCommand({ id: 'bot.requestStatus', title: 'Request Status', category: 'Bot', keybinding: ['Ctrl+Alt+U'], run: (ctx) => void ctx.send({ type: 'request_status' }) });

registry.registerCommand({
  id: 'bot.ping',
  title: 'Ping Server',
  category: 'Bot',
  run: async (ctx) => {
    const started = performance.now();
    const reply = await ctx.session.request({ type: 'ping' });
    ctx.notify(`${reply.type} in ${(performance.now() - started).toFixed(0)} ms`);
  },
});

registry.registerCommand({
  id: 'view.toggleTheme',
  title: 'Toggle Light / Dark Theme',
  category: 'View',
  keybinding: ['Ctrl+Alt+T'],
  run: (ctx) => void (ctx.layout.theme = ctx.layout.theme === 'dark' ? 'light' : 'dark'),
});

registry.registerCommand({ id: 'view.togglePanel', title: 'Toggle Panel', category: 'View', keybinding: ['Ctrl+J'], run: (ctx) => void (ctx.layout.panelVisible = !ctx.layout.panelVisible) });
registry.registerCommand({ id: 'view.toggleSideBar', title: 'Toggle Side Bar', category: 'View', keybinding: ['Ctrl+B'], run: (ctx) => void (ctx.layout.sidebarVisible = !ctx.layout.sidebarVisible) });

for (const [id, title, key] of [['log', 'Log', 'Ctrl+Shift+Y'], ['problems', 'Problems', 'Ctrl+Shift+M']] as const) {
  registry.registerCommand({
    id: `view.show.${id}`,
    title: `Show ${title}`,
    category: 'View',
    keybinding: [key],
    run: (ctx) => {
      ctx.layout.panelVisible = true;
      ctx.layout.panelView = id;
    },
  });
}

registry.registerCommand({
  id: 'view.closeEditor',
  title: 'Close Editor',
  category: 'View',
  keybinding: ['Ctrl+Alt+Q'],
  run: (ctx) => {
    if (ctx.layout.activeEditor) ctx.layout.closeEditor(ctx.layout.activeEditor);
  },
});
