// Ctrl-C and SIGTERM are caught from the first moment of the process (this module is imported first):
// a signal before `lab up` has created anything ends it with 130 and a sentence, not silently.
// SIGUSR2 is `lab down` of the same instance asking this command to stop (exit 8).
export const interruption = new AbortController();

let handled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interruption.signal.aborted) return;
  interruption.abort(signal);
  // a command that cleans up says so itself; before one has started, there is nothing to clean
  if (!handled) {
    const cancelled = signal === 'SIGUSR2';
    console.error(
      cancelled ? '\nlab: cancelled: lab down is removing this instance' : `\nlab: interrupted (${signal})`,
    );
    process.exit(cancelled ? 8 : 130);
  }
};

export function catchSignals(): void {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGUSR2', onSignal);
}

/** The running command removes what it created when the signal comes; it reports the interruption.
 * The commands load synchronously (code caches), so a Ctrl-C meanwhile is only heard once the event
 * loop turns: it turns here first, and such a signal ends the process before anything is created.
 * Two turns: Node runs a signal's listeners on the second (measured: one turn caught 2 of 20). */
export async function handleInterruption(): Promise<AbortSignal> {
  for (let turn = 0; turn < 2; turn++) await new Promise((turned) => setImmediate(turned));
  handled = true;
  return interruption.signal;
}

/** For flows that handle signals their own way (the vagrant ones): the default answers again. */
export function stopCatchingSignals(): void {
  for (const s of ['SIGINT', 'SIGTERM', 'SIGUSR2'] as const) process.off(s, onSignal);
}
