// The loop both ZooKeeper adapters run (discovery's reads, registration's node): one pass each
// time something marked it dirty, retried with backoff, with a reconnect cutting a backoff short.
import { retrySource, type SourceBackoff } from '../discovery/support.js';

/**
 * The loop both ZooKeeper adapters run: whenever something marked it dirty, one pass (`pass`,
 * retried with backoff until it succeeds, each failure reported to `onError`), then it waits
 * until marked again, until `signal` aborts. {@link Rounds.mark} with `cutBackoff` ends a
 * backoff in progress (a reconnect: trying again at once is worth it).
 *
 * @example
 * const rounds = new Rounds(signal, options.backoff, (err) => error(err));
 * void rounds.run((roundSignal) => sync(roundSignal));
 * session.on('connected', () => rounds.mark(true));
 */
export class Rounds {
  #dirty = true;
  #wake: (() => void) | undefined;
  /** The round running now: its own abort (a stop, or a cut backoff), and whether it is backing off. */
  #round: { readonly controller: AbortController; sleeping: boolean } | undefined;

  constructor(
    private readonly signal: AbortSignal,
    private readonly backoff: SourceBackoff | undefined,
    private readonly onError: (err: unknown) => void,
  ) {
    signal.addEventListener('abort', () => this.#wakeUp(), { once: true });
  }

  /** Runs the pass again (after the one running, if any); `cutBackoff` ends a backoff in progress. */
  mark(cutBackoff: boolean): void {
    if (this.signal.aborted) return;
    this.#dirty = true;
    if (cutBackoff && this.#round?.sleeping === true) this.#round.controller.abort();
    this.#wakeUp();
  }

  /** The loop; resolves once `signal` has aborted. `pass` gets the round's signal (aborted on stop or a cut backoff). */
  async run(pass: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const { signal } = this;
    while (!signal.aborted) {
      if (!this.#dirty) await new Promise<void>((resolve) => (this.#wake = resolve));
      if (signal.aborted) break;
      const round = { controller: new AbortController(), sleeping: false };
      const abortRound = (): void => round.controller.abort();
      signal.addEventListener('abort', abortRound, { once: true });
      this.#round = round;
      const attempt = (): Promise<void> => {
        round.sleeping = false;
        this.#dirty = false;
        return pass(round.controller.signal);
      };
      const onError = (err: unknown): void => {
        round.sleeping = true;
        if (!signal.aborted) this.onError(err);
      };
      try {
        await retrySource(attempt, round.controller.signal, onError, this.backoff);
      } catch {
        // The round was cut short (stop, or a reconnect during its backoff): loop again.
      }
      signal.removeEventListener('abort', abortRound);
      this.#round = undefined;
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
