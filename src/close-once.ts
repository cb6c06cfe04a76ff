/**
 * The `close()` of a client that holds more than its `Client` base (`bulwark/undici`'s pools,
 * `bulwark/grpc`'s channels and streams): one promise for every call, kept before the base's
 * close runs any user code (a `close()` from an event listener it triggers gets the same one),
 * releasing what it holds after the base closed, and never rejecting, whatever that release
 * throws (README, "close()").
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
    void closing.then(release, release).then(done, done);
    return this.#closed;
  }
}
