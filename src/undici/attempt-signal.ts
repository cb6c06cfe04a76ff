/**
 * The abort handle one undici `request` attempt is given instead of an `AbortSignal`: an
 * EventEmitter-like object (undici accepts `signal.on`/`once`/`removeListener`), fired once by
 * the attempt's cancellation (timeout, lost hedge, caller abort, close) or, while the response
 * body is read, by the caller's own signal. No AbortController or EventTarget per attempt; a
 * listener on the caller's signal only when the caller gave one, removed when undici lets go
 * (the body closed).
 */
export class AttemptSignal {
  /** Why it fired; undici reads it as the abort reason. */
  reason: unknown = undefined;
  #listener: (() => void) | undefined;
  readonly #caller: AbortSignal | undefined;
  #fromCaller: (() => void) | undefined;

  constructor(caller: AbortSignal | undefined) {
    this.#caller = caller;
  }

  /** Fires the listener with `reason`, once. */
  readonly fire = (reason: unknown): void => {
    if (this.reason !== undefined) return;
    this.reason = reason ?? new Error('aborted');
    const listener = this.#listener;
    this.removeListener();
    listener?.();
  };

  on(_event: 'abort', listener: () => void): this {
    this.#listener = listener;
    if (this.#caller !== undefined && this.#fromCaller === undefined) {
      this.#fromCaller = () => this.fire(this.#caller!.reason);
      this.#caller.addEventListener('abort', this.#fromCaller, { once: true });
    }
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(): this {
    this.#listener = undefined;
    if (this.#fromCaller !== undefined) {
      this.#caller!.removeEventListener('abort', this.#fromCaller);
      this.#fromCaller = undefined;
    }
    return this;
  }
}
