/**
 * A run written as a generator that yields between slices of bars, driven two ways: to its end
 * at once (the CLI, the optimiser), or letting the event loop through at each yield (a server
 * that keeps serving its sockets and its bot while the run goes on).
 */
export type RunSteps<T> = Generator<void, T, void>;

/** Drives `steps` to the end in one go. */
export function runToEnd<T>(steps: RunSteps<T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** Drives `steps` to the end, awaiting `pause` (a macrotask by default) at each yield. */
export async function runLettingThrough<T>(steps: RunSteps<T>, pause: () => Promise<void> = nextMacrotask): Promise<T> {
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await pause();
  }
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
