/** Something a caller's abort ends early. */
export interface Interruptible {
  interrupt(error: unknown): void;
}

/**
 * Calls waiting on each caller signal. One signal is often shared by many calls (a request's
 * or a server's shutdown signal): one `abort` listener per signal, not one per call, keeps a
 * call's cost flat however many others share it (docs/architecture.md, "Performance").
 */
const callsBySignal = new WeakMap<AbortSignal, Set<Interruptible>>();

/** Interrupts `call` with the signal's reason when `signal` aborts, until {@link unwatchSignal}. */
export function watchSignal(signal: AbortSignal, call: Interruptible): void {
  let calls = callsBySignal.get(signal);
  if (calls === undefined) {
    const waiting = new Set<Interruptible>();
    calls = waiting;
    callsBySignal.set(signal, waiting);
    signal.addEventListener('abort', () => {
      for (const c of waiting) {
        try {
          c.interrupt(signal.reason);
        } catch {
          // One follower that throws (a stream's cancel running user code) must not keep the
          // others from their abort, nor escape as an uncaught exception.
        }
      }
      waiting.clear();
    }, { once: true });
  }
  calls.add(call);
}

/** Stops interrupting `call` when `signal` aborts. */
export function unwatchSignal(signal: AbortSignal, call: Interruptible): void {
  callsBySignal.get(signal)?.delete(call);
}
