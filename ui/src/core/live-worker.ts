import { LiveCore } from './live-core.ts';
import type { FromLiveWorker, ToLiveWorker } from './live-worker-protocol.ts';
import { diffState } from './state-diff.ts';
import { initialState, type WorkbenchState } from './state.ts';

/**
 * The live Web Worker: owns the socket, parses, decodes and folds every event off the page's
 * thread, and posts the page a diff of the state at most once per drawn frame (the page acks
 * each one from its next animation frame), so a flood costs the page one small patch a frame.
 */
// The UI's types describe a window; a worker's global has the same postMessage and onmessage.
const scope = self as unknown as {
  postMessage(message: FromLiveWorker): void;
  onmessage: ((ev: MessageEvent<ToLiveWorker>) => void) | null;
};
const post = (message: FromLiveWorker) => scope.postMessage(message);

/** The state the page holds: what the next diff is taken against. */
let posted: WorkbenchState = initialState();
let inFlight = false;
let scheduled = false;

const core = new LiveCore({
  onstatus: (status) => post({ type: 'status', status }),
  onreply: (reply) => post({ type: 'reply', reply }),
  onpending: schedule,
});

function schedule(): void {
  if (inFlight || scheduled) return;
  scheduled = true;
  // A macrotask: the socket messages already waiting are all folded into this one update.
  setTimeout(publish, 0);
}

function publish(): void {
  scheduled = false;
  const next = core.fold();
  const patch = diffState(posted, next);
  if (!patch) return;
  posted = next;
  inFlight = true;
  post({ type: 'state', patch });
}

scope.onmessage = (ev) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'start':
      core.start(msg.url);
      return;
    case 'stop':
      core.stop();
      return;
    case 'retry':
      core.retryNow();
      return;
    case 'send':
      if (!core.send(msg.message) && msg.id !== undefined) post({ type: 'unsent', id: msg.id });
      return;
    case 'inputs':
      core.enqueue(msg.inputs);
      return;
    case 'ack':
      inFlight = false;
      if (core.pending) schedule();
      return;
  }
};
