import { registry } from '../../platform/registry.ts';
import TokenDialog from './TokenDialog.svelte';

// The token dialog draws nothing until the server refuses us for want of a token; it sits with
// the editor banners so the workbench needs no part of its own for it.
registry.registerView({ id: 'token-dialog', title: 'Server token', location: 'editor-banner', order: 0, component: TokenDialog });

registry.registerCommand({
  id: 'connection.enterToken',
  title: 'Enter Server Token…',
  category: 'Connection',
  run: (ctx) => ctx.session.askForToken(),
});
