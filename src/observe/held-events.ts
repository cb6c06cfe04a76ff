/**
 * Events a change causes, held until the change is complete and announced (`client.reconfigure`:
 * the `health` and `panic` events of new health numbers come after `configChanged`). A listener
 * that reacts by changing the client again then starts from a consistent one, and the last
 * `configChanged` is the document in force.
 *
 * @example
 * held.during(() => engine.reconfigure(doc), (failed, error) => { if (!failed) emit('configChanged', { document: doc }); });
 * held.emit(() => emit('panic', event)); // now, or after the change is announced
 */
export class HeldEvents {
  #held: (() => void)[] | undefined;

  /** Runs `fire` now, or once the change running now is announced. */
  emit(fire: () => void): void {
    if (this.#held === undefined) fire();
    else this.#held.push(fire);
  }

  /**
   * Runs `change` holding events, then `announce(failed, error)`, then the held events; throws
   * what `change` threw, after all of that.
   */
  during(change: () => void, announce: (failed: boolean, error: unknown) => void): void {
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
    announce(failed, error);
    for (const fire of held) fire();
    if (failed) throw error;
  }
}
