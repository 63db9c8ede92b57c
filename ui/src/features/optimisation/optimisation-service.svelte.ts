import type { ClientMessage } from '../../../../protocol/index.ts';
import type { OptimisationRecordingView } from '../../core/state.ts';
import type { WorkbenchSession } from '../../platform/session.svelte.ts';
import { describeServerError } from '../../platform/refusals.ts';

/** An optimisation recording on the server (`<dataDir>/optimisations/<name>/optimisation.json`). */
export interface OptimisationInfo {
  readonly name: string;
  readonly size: number;
  readonly modified: string;
}

/** The editor tab of one optimisation (live or a recording). */
export function optimisationInput(id: string) {
  return { type: 'optimisation', id: `optimisation:${id}`, title: `Optimisation ${id}`, params: { id } };
}

export const START_FORM_INPUT = { type: 'optimisation-form', id: 'optimisation-form', title: 'Start optimisation' } as const;

/**
 * Recordings opened from the server, by id: the editor reads a live optimisation from the
 * folded state and a recording from here, and draws both the same way.
 */
class OpenedRecordings {
  byId = $state.raw<Readonly<Record<string, OptimisationRecordingView>>>({});

  add(recording: OptimisationRecordingView): void {
    this.byId = { ...this.byId, [recording.id]: recording };
  }
}

export const openedRecordings = new OpenedRecordings();

/** Sends a command and gives back its `command_result` as ok/reason/data (an error reply as not ok). */
export async function command(session: WorkbenchSession, message: ClientMessage, timeoutMs = 15_000): Promise<{ ok: boolean; reason: string; data?: unknown }> {
  try {
    const reply = await session.request(message, timeoutMs);
    if (reply.type === 'command_result') return { ok: reply.ok, reason: reply.reason, data: reply.data };
    if (reply.type === 'error') return { ok: false, reason: describeServerError(reply, message) };
    return { ok: false, reason: `unexpected reply ${reply.type}` };
  } catch (err) {
    return { ok: false, reason: (err as Error).message === 'offline' ? 'offline: nothing was sent' : `no answer from the server (${(err as Error).message})` };
  }
}

export async function listOptimisations(session: WorkbenchSession): Promise<OptimisationInfo[]> {
  const r = await command(session, { type: 'list_optimisations' });
  return r.ok ? ((r.data as { optimisations?: OptimisationInfo[] })?.optimisations ?? []) : [];
}

/** Fetches a recording into `openedRecordings`; the reason when it cannot. */
export async function openOptimisation(session: WorkbenchSession, name: string): Promise<string | null> {
  const r = await command(session, { type: 'get_optimisation', name }, 30_000);
  if (!r.ok) return r.reason;
  const recording = (r.data as { recording?: OptimisationRecordingView })?.recording;
  if (!recording || !Array.isArray(recording.trials)) return `${name} is not an optimisation recording`;
  openedRecordings.add({ ...recording, id: name });
  return null;
}
