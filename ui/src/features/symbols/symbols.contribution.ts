import { registry, type CommandContext } from '../../platform/registry.ts';
import SymbolsExplorer from './SymbolsExplorer.svelte';
import SymbolEditor from './SymbolEditor.svelte';
import { closePosition } from './close-position.ts';

export const EXPLORER_ICON = 'M4 4h7l2 2h7v13H4z';

registry.registerActivity({ id: 'explorer', title: 'Explorer', icon: EXPLORER_ICON, order: 10 });
registry.registerView({ id: 'symbols', title: 'Symbols', location: 'sidebar', activity: 'explorer', order: 10, component: SymbolsExplorer });
registry.registerEditor({ type: 'symbol', component: SymbolEditor });

/** Opens the editor tab of one symbol. */
export function openSymbol(ctx: Pick<CommandContext, 'openEditor'>, symbol: string): void {
  ctx.openEditor({ type: 'symbol', id: `symbol:${symbol}`, title: symbol, params: { symbol } });
}

async function pickSymbol(ctx: CommandContext, placeholder: string, filter: (state: string, hasPosition: boolean) => boolean = () => true) {
  const state = ctx.state();
  const items = state.symbolOrder
    .map((s) => state.symbols[s])
    .filter((v) => filter(v.state, v.position !== null))
    .map((v) => ({ id: v.symbol, label: v.symbol, detail: `${v.state}${v.position ? ` · ${v.position.direction} ${v.position.lot_size}` : ''}` }));
  if (items.length === 0) {
    ctx.notify('No symbol fits this command right now');
    return undefined;
  }
  return ctx.pick(placeholder, items);
}

registry.registerCommand({
  id: 'symbols.open',
  title: 'Open Symbol…',
  category: 'Symbols',
  keybinding: ['Ctrl+P'],
  run: async (ctx) => {
    const symbol = await pickSymbol(ctx, 'Symbol to open');
    if (symbol) openSymbol(ctx, symbol);
  },
});

registry.registerCommand({
  id: 'symbols.pause',
  title: 'Pause Symbol…',
  category: 'Bot',
  run: async (ctx) => {
    const symbol = await pickSymbol(ctx, 'Symbol to pause', (s) => s !== 'paused' && s !== 'idle');
    if (symbol) ctx.send({ type: 'pause_symbol', symbol });
  },
});

registry.registerCommand({
  id: 'symbols.resume',
  title: 'Resume Symbol…',
  category: 'Bot',
  run: async (ctx) => {
    const symbol = await pickSymbol(ctx, 'Symbol to resume', (s) => s === 'paused' || s === 'faulted');
    if (symbol) ctx.send({ type: 'resume_symbol', symbol });
  },
});

registry.registerCommand({
  id: 'symbols.closePosition',
  title: 'Close Position…',
  category: 'Bot',
  dangerous: true,
  run: async (ctx) => {
    // The state the list is built from: the position picked is the one the dialog names and the request closes.
    const listed = ctx.state().symbols;
    const symbol = await pickSymbol(ctx, 'Position to close at market', (_s, open) => open);
    if (symbol) await closePosition(ctx, symbol, listed[symbol]?.position);
  },
});
