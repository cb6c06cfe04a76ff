/**
 * The order of a client's discovery events (`endpoints`, `endpointRejected`, `discoveryError`).
 * One that comes while `createClient` runs (a static list, an adapter that calls `update` inside
 * `watch`) waits a microtask, so that listeners added right after `createClient` hear it; any
 * that come while it waits queue behind it. Events then go out in the order the changes
 * happened, and a listener that applies `added`/`removed` stays right.
 *
 * @example
 * events.hold(); startDiscovery(…); events.release();
 * events.emit(() => client.emit('endpoints', event));
 */
export class DeferredEvents {
  #holding = false;
  #queue: (() => void)[] | undefined;

  /** Events from now until `release` wait a microtask. */
  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
  }

  /** Runs `fire` now, or after the events already waiting. */
  emit(fire: () => void): void {
    if (this.#queue !== undefined) {
      this.#queue.push(fire);
    } else if (!this.#holding) {
      fire();
    } else {
      const queue = [fire];
      this.#queue = queue;
      queueMicrotask(() => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) next();
        this.#queue = undefined;
      });
    }
  }
}
