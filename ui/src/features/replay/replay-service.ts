import { parseRecording } from '../../core/recording.ts';
import type { WorkbenchSession } from '../../platform/session.svelte.ts';
import { ReplayPlayer } from './replay-player.svelte.ts';
import { parseRecordingList, recordingText, type RecordingInfo } from './recordings-source.ts';

let player: ReplayPlayer | null = null;

/** The one replay player of the page, showing its state through the session. */
export function replayPlayer(session: WorkbenchSession): ReplayPlayer {
  player ??= new ReplayPlayer((name, state) => session.showReplay(name, state));
  return player;
}

/** The server's recordings: over HTTP first (works without a socket), else over the socket. */
export async function listRecordings(session: WorkbenchSession): Promise<RecordingInfo[]> {
  try {
    const res = await fetch('recordings', { headers: { accept: 'application/json', ...session.authHeaders() } });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) return parseRecordingList(await res.json());
  } catch {
    /* no server: fall through */
  }
  const reply = await session.request({ type: 'list_recordings' });
  if (reply.type === 'command_result' && !reply.ok) throw new Error(reply.reason);
  return parseRecordingList(reply.type === 'command_result' ? reply.data : null);
}

/** Fetches one recording's JSONL and loads it into the player. */
export async function openServerRecording(session: WorkbenchSession, name: string): Promise<string[]> {
  let text: string | null = null;
  try {
    const res = await fetch(`recordings/${encodeURIComponent(name)}`, { headers: session.authHeaders() });
    if (res.ok) text = await res.text();
  } catch {
    /* try the socket */
  }
  if (text === null) {
    const reply = await session.request({ type: 'get_recording', name }, 30_000);
    if (reply.type === 'command_result' && !reply.ok) throw new Error(reply.reason);
    text = recordingText(reply.type === 'command_result' ? reply.data : null);
    if (text === null) throw new Error(`the server sent recording "${name}" in a shape this page does not read`);
  }
  return loadText(session, name, text);
}

/** Loads a local JSONL file; works with no server at all. */
export async function openLocalRecording(session: WorkbenchSession, file: File): Promise<string[]> {
  return loadText(session, file.name, await file.text());
}

function loadText(session: WorkbenchSession, name: string, text: string): string[] {
  const { events, errors } = parseRecording(text, name);
  if (events.length === 0) throw new Error(`${name} holds no events${errors.length ? ` (${errors[0]})` : ''}`);
  const p = replayPlayer(session);
  p.load(name, events, errors);
  p.play();
  return errors;
}

/** Asks for a local file with a transient file input. */
export function chooseLocalFile(): Promise<File | undefined> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.jsonl,.json,.ndjson,application/x-ndjson';
    input.onchange = () => resolve(input.files?.[0] ?? undefined);
    input.click();
  });
}
