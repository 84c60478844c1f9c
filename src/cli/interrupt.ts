// Ctrl-C and SIGTERM are caught from the first moment of the process (this module is imported first):
// a signal before `lab up` has created anything ends it with 130 and a sentence, not silently.
export const interruption = new AbortController();

let handled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interruption.signal.aborted) return;
  interruption.abort(signal);
  // a command that cleans up says so itself; before one has started, there is nothing to clean
  if (!handled) {
    console.error(`\nlab: interrupted (${signal})`);
    process.exit(130);
  }
};

export function catchSignals(): void {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** The running command removes what it created when the signal comes; it reports the interruption. */
export function handleInterruption(): AbortSignal {
  handled = true;
  return interruption.signal;
}

/** For flows that handle signals their own way (the vagrant ones): the default answers again. */
export function stopCatchingSignals(): void {
  for (const s of ['SIGINT', 'SIGTERM', 'SIGUSR2'] as const) process.off(s, onSignal);
}
