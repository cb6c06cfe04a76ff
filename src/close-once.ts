/**
 * The `close()` of a client that holds more than its `Client` base (`bulwark/undici`'s pools,
 * `bulwark/grpc`'s channels and streams): one promise for every call, kept before the base's
 * close runs any user code (a `close()` from an event listener it triggers gets the same one),
 * releasing what it holds once the base close has ended the calls (not once discovery, which
 * may take seconds, has stopped), and never rejecting, whatever that release throws (README,
 * "close()").
 *
 * @example
 * override close(): Promise<void> {
 *   return this.#closing.run(() => super.close(), () => this.#pools.close());
 * }
 */
export class CloseOnce {
  #closed: Promise<void> | undefined;

  run(close: () => Promise<void>, release: () => unknown): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    let done!: () => void;
    this.#closed = new Promise<void>((resolve) => { done = resolve; });
    let closing: Promise<void>;
    try {
      closing = close();
    } catch (err) {
      closing = Promise.reject(err);
    }
    // The base close ended every call before it returned; stopping discovery, which it awaits
    // next, may take seconds. What the calls used (streams, channels, pools) is released now.
    let released: unknown;
    try {
      released = release();
    } catch {
      released = undefined;
    }
    void Promise.allSettled([closing, released]).then(done, done);
    return this.#closed;
  }
}
