import { LiveCore } from './live-core.ts';
import type { FromLiveWorker, ToLiveWorker } from './live-worker-protocol.ts';
import { diffState } from './state-diff.ts';
import { initialState, type WorkbenchState } from './state.ts';

/**
 * The live Web Worker: owns the socket, parses, decodes and folds every event off the page's
 * thread, and posts the page a diff of the state at most once per drawn frame (the page acks
 * each one from its next animation frame). Under a flood it posts only a few times a second:
 * each update re-renders the log, the charts and the lists, and nobody reads 2,000 rows a second.
 */
// The UI's types describe a window; a worker's global has the same postMessage and onmessage.
const scope = self as unknown as {
  postMessage(message: FromLiveWorker): void;
  onmessage: ((ev: MessageEvent<ToLiveWorker>) => void) | null;
};
const post = (message: FromLiveWorker) => scope.postMessage(message);

/** Inputs per second above which updates are spaced out. */
const FLOOD_RATE = 300;
/** The spacing under a flood: about seven updates a second. */
const FLOOD_GAP_MS = 150;

/** The state the page holds: what the next diff is taken against. */
let posted: WorkbenchState = initialState();
let inFlight = false;
let scheduled = false;
let lastPost = 0;
let gap = 0;

const core = new LiveCore({
  onstatus: (status) => post({ type: 'status', status }),
  onreply: (reply) => post({ type: 'reply', reply }),
  onpending: schedule,
});

function schedule(): void {
  if (inFlight || scheduled) return;
  scheduled = true;
  // A macrotask: the socket messages already waiting are all folded into this one update.
  setTimeout(publish, Math.max(0, lastPost + gap - performance.now()));
}

function publish(): void {
  scheduled = false;
  const now = performance.now();
  const inputs = core.queued;
  const next = core.fold();
  const patch = diffState(posted, next);
  if (!patch) return;
  // The rate since the last update: a burst after a quiet spell (a resume) is not a flood.
  gap = (inputs * 1000) / Math.max(1, now - lastPost) > FLOOD_RATE ? FLOOD_GAP_MS : 0;
  lastPost = now;
  posted = next;
  inFlight = true;
  post({ type: 'state', patch });
}

scope.onmessage = (ev) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'start':
      core.start(msg.url, msg.token ?? null);
      return;
    case 'token':
      core.setToken(msg.token);
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
      if (core.queued > 0) schedule();
      return;
  }
};
