/**
 * The order of a client's discovery events (`endpoints`, `endpointRejected`, `discoveryError`).
 * One that comes while `createClient` runs (a static list, an adapter that calls `update` inside
 * `watch`) waits a microtask, so that listeners added right after `createClient` hear it; one
 * that comes while another is being emitted (a listener's own update) waits for that one to
 * reach every listener. Events then go out in the order the changes happened, and a listener
 * that applies `added`/`removed` stays right.
 *
 * @example
 * events.hold(); startDiscovery(…); events.release();
 * events.emit(() => client.emit('endpoints', event));
 */
export class DeferredEvents {
  #holding = false;
  /** Events waiting their turn, while `createClient` runs or an event is being emitted. */
  #queue: (() => void)[] | undefined;

  /** Events from now until `release` wait a microtask. */
  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
  }

  /** Runs `fire` now, or after the events already waiting or being emitted. */
  emit(fire: () => void): void {
    if (this.#queue !== undefined) {
      this.#queue.push(fire);
      return;
    }
    const queue = [fire];
    this.#queue = queue;
    if (this.#holding) queueMicrotask(() => this.#drain(queue));
    else this.#drain(queue);
  }

  /** Emits the waiting events in order, those queued while it runs included. */
  #drain(queue: (() => void)[]): void {
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) next();
    } finally {
      this.#queue = undefined;
    }
  }
}
