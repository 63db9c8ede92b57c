import { registry } from '../../platform/registry.ts';
import RecordingsList from './RecordingsList.svelte';
import ReplayBar from './ReplayBar.svelte';
import { chooseLocalFile, listRecordings, openLocalRecording, openServerRecording, replayPlayer } from './replay-service.ts';

registry.registerView({ id: 'recordings', title: 'Recordings', location: 'sidebar', activity: 'explorer', order: 20, component: RecordingsList });
registry.registerView({ id: 'replay-bar', title: 'Replay', location: 'editor-banner', order: 10, component: ReplayBar });

registry.registerCommand({
  id: 'replay.openServer',
  title: 'Replay Recording from Server…',
  category: 'Replay',
  keybinding: ['Ctrl+Alt+R'],
  run: async (ctx) => {
    const list = await listRecordings(ctx.session);
    if (list.length === 0) return ctx.notify('The server has no recordings yet');
    const name = await ctx.pick('Recording to replay', list.map((r) => ({ id: r.name, label: r.name, detail: r.events ? `${r.events} events` : undefined })));
    if (name) reportErrors(ctx, await openServerRecording(ctx.session, name));
  },
});

registry.registerCommand({
  id: 'replay.openFile',
  title: 'Replay Local JSONL File…',
  category: 'Replay',
  keybinding: ['Ctrl+O'],
  run: async (ctx) => {
    const file = await chooseLocalFile();
    if (file) reportErrors(ctx, await openLocalRecording(ctx.session, file));
  },
});

registry.registerCommand({
  id: 'replay.togglePlay',
  title: 'Play / Pause',
  category: 'Replay',
  keybinding: ['Ctrl+Alt+Space'],
  run: (ctx) => {
    const p = replayPlayer(ctx.session);
    if (p.playing) p.pause();
    else p.play();
  },
});

registry.registerCommand({ id: 'replay.step', title: 'Step One Event', category: 'Replay', keybinding: ['Ctrl+Alt+ArrowRight'], run: (ctx) => replayPlayer(ctx.session).step() });

registry.registerCommand({
  id: 'replay.close',
  title: 'Back to Live',
  category: 'Replay',
  run: (ctx) => {
    replayPlayer(ctx.session).pause();
    ctx.session.closeReplay();
  },
});

function reportErrors(ctx: { notify: (m: string, k?: 'info' | 'error') => void }, errors: readonly string[]) {
  if (errors.length) ctx.notify(`${errors.length} bad line(s) skipped; first: ${errors[0]}`, 'error');
}
