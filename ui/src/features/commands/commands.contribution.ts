import { registry } from '../../platform/registry.ts';
import { recentCommands, rememberCommand } from '../../platform/recent-commands.ts';
import { plural } from '../../core/format.ts';

registry.registerCommand({
  id: 'workbench.showCommands',
  title: 'Show All Commands',
  category: 'View',
  keybinding: ['Ctrl+Shift+P', 'F1'],
  run: async (ctx) => {
    // Recently used first (most recent on top), then the rest alphabetically; the matcher keeps this order among equals.
    const recent = recentCommands();
    const rank = (id: string) => (recent.includes(id) ? recent.indexOf(id) : recent.length);
    const items = [...registry.commands.values()]
      .filter((c) => c.id !== 'workbench.showCommands')
      .sort((a, b) => rank(a.id) - rank(b.id) || `${a.category}${a.title}`.localeCompare(`${b.category}${b.title}`))
      .map((c) => ({
        id: c.id, label: `${c.category}: ${c.title}${c.dangerous ? ' ⚠' : ''}`,
        detail: [recent.includes(c.id) ? 'recently used' : '', c.keybinding?.join(' / ') ?? ''].filter(Boolean).join(' · ') || undefined,
      }));
    const id = await ctx.pick('Type a command', items);
    if (!id) return;
    rememberCommand(id);
    await ctx.runCommand(id);
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

registry.registerCommand({
  id: 'bot.requestStatus',
  title: 'Request Status',
  category: 'Bot',
  keybinding: ['Ctrl+Alt+U'],
  run: async (ctx) => {
    const reply = await ctx.session.request({ type: 'request_status' });
    if (reply.type !== 'status') return ctx.notify(`Status: ${reply.type}`, 'error');
    const symbols = (reply.symbols ?? []).map((s) => `${s.symbol} ${s.state}`).join(', ');
    ctx.notify(`Status: bot ${reply.running ? 'running' : 'stopped'}, broker ${reply.connected ? 'connected' : 'disconnected'}, ${plural(reply.trades_this_week, 'entry', 'entries')} this week${symbols ? `; ${symbols}` : ''}`);
  },
});

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
  keybinding: ['Ctrl+W', 'Ctrl+Alt+Q'],
  run: (ctx) => {
    if (ctx.layout.activeEditor) ctx.layout.closeEditor(ctx.layout.activeEditor);
  },
});

/** Ctrl+Tab / Ctrl+Shift+Tab (and Ctrl+PageDown / PageUp): the next or previous editor tab, wrapping. */
for (const [id, title, keys, step] of [
  ['view.nextEditor', 'Open Next Editor', ['Ctrl+Tab', 'Ctrl+PageDown'], 1],
  ['view.previousEditor', 'Open Previous Editor', ['Ctrl+Shift+Tab', 'Ctrl+PageUp'], -1],
] as const) {
  registry.registerCommand({
    id, title, category: 'View', keybinding: keys,
    run: (ctx) => {
      const editors = ctx.layout.editors;
      if (editors.length === 0) return;
      const at = editors.findIndex((e) => e.id === ctx.layout.activeEditor);
      ctx.layout.activeEditor = editors[(at + step + editors.length) % editors.length].id;
    },
  });
}

registry.registerCommand({
  id: 'view.toggleLog',
  title: 'Toggle Log Panel',
  category: 'View',
  keybinding: ['Ctrl+`'],
  run: (ctx) => {
    const shown = ctx.layout.panelVisible && ctx.layout.panelView === 'log';
    ctx.layout.panelVisible = !shown;
    if (!shown) ctx.layout.panelView = 'log';
  },
});
