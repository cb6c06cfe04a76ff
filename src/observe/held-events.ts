/**
 * Events a change causes, held until the change is complete and announced (`client.reconfigure`:
 * the `health` and `panic` events of new health numbers come after `configChanged`). A listener
 * that reacts by changing the client again then starts from a consistent one, and events keep
 * the order of the changes: a change made from a listener of the announcement waits until the
 * announced change's own events are out.
 *
 * @example
 * held.during(() => engine.reconfigure(doc), (failed, error) => { if (!failed) emit('configChanged', { document: doc }); });
 * held.emit(() => emit('panic', event)); // now, or after the change is announced
 */
export class HeldEvents {
  /** Events of the change being applied now. */
  #held: (() => void)[] | undefined;
  /** Events of changes applied (and being announced), in order, not yet fired. */
  readonly #ready: (() => void)[] = [];

  /** Runs `fire` now, or once the changes running now are announced and their events out. */
  emit(fire: () => void): void {
    if (this.#held !== undefined) this.#held.push(fire);
    else if (this.#ready.length > 0) this.#ready.push(fire);
    else fire();
  }

  /**
   * Runs `change` holding events, then `announce(failed, error)`, then the held events; throws
   * what `change` threw, after all of that.
   */
  during(change: () => void, announce: (failed: boolean, error: unknown) => void): void {
    // A change made while an earlier one is announced: that one's events go out first.
    this.#flush();
    const outer = this.#held;
    const held: (() => void)[] = (this.#held = []);
    let failed = false;
    let error: unknown;
    try {
      change();
    } catch (err) {
      failed = true;
      error = err;
    }
    this.#held = outer;
    this.#ready.push(...held);
    announce(failed, error);
    this.#flush();
    if (failed) throw error;
  }

  /** Fires the events of announced changes, in order (unless a change is being applied). */
  #flush(): void {
    while (this.#held === undefined && this.#ready.length > 0) this.#ready.shift()!();
  }
}
