import { EventEmitter } from 'eventemitter3';

/** The arguments the listeners of event `K` of the event map `E` get (a tuple per event, as in ClientEvents). */
type Args<E, K extends keyof E> = E[K] extends readonly unknown[] ? E[K] : never;

/**
 * A typed event emitter over an eventemitter3 one it holds, telling its subclass when listeners
 * come and go (internal: `Client` is the one subclass; the class itself is not exported). The client uses it to plug its event observer into the call pipeline only while
 * someone listens, so events nobody listens to cost nothing per call, not even a listener
 * count. Its methods are typed with bulwark's own event map (`ClientEvents`), so that a user's
 * declarations can name them without eventemitter3 of their own.
 *
 * @example
 * const users = createClient({ name: 'users', discovery: ['10.0.0.1:8080'] });
 * users.on('retry', (e) => console.log(`retrying after ${e.delay} ms`));
 */
export class ObservedEmitter<E extends Record<keyof E, readonly unknown[]>> {
  readonly #emitter = new EventEmitter();

  /** Called after every change to the listeners. */
  protected listenersChanged(): void {}

  /**
   * Adds `fn` for `event`; `context` is its `this`.
   *
   * @example
   * client.on('retry', (e) => log.info({ endpoint: e.endpoint.id, reason: e.reason }, 'retrying'));
   */
  on<K extends keyof E & string>(event: K, fn: (...args: Args<E, K>) => void, context?: unknown): this {
    this.#emitter.on(event, fn as unknown as (...args: unknown[]) => void, context);
    this.listenersChanged();
    return this;
  }

  /**
   * The same as `on`.
   *
   * @example
   * client.addListener('health', (e) => log.warn(e, 'endpoint health changed'));
   */
  addListener<K extends keyof E & string>(event: K, fn: (...args: Args<E, K>) => void, context?: unknown): this {
    return this.on(event, fn, context);
  }

  /**
   * Adds `fn` for the next `event` only.
   *
   * @example
   * client.once('endpoints', () => log.info('first endpoint set'));
   */
  once<K extends keyof E & string>(event: K, fn: (...args: Args<E, K>) => void, context?: unknown): this {
    this.#emitter.once(event, fn as unknown as (...args: unknown[]) => void, context);
    this.listenersChanged();
    return this;
  }

  /**
   * Removes `fn` (every listener of `event` when `fn` is left out).
   *
   * @example
   * const onRetry = (e: RetryEvent) => retries.inc({ reason: e.reason });
   * client.on('retry', onRetry);
   * client.off('retry', onRetry);
   */
  off<K extends keyof E & string>(event: K, fn?: (...args: Args<E, K>) => void, context?: unknown, once?: boolean): this {
    this.#emitter.off(event, fn as unknown as ((...args: unknown[]) => void) | undefined, context, once);
    this.listenersChanged();
    return this;
  }

  /**
   * The same as `off`.
   *
   * @example
   * client.removeListener('retry', onRetry);
   */
  removeListener<K extends keyof E & string>(event: K, fn?: (...args: Args<E, K>) => void, context?: unknown, once?: boolean): this {
    return this.off(event, fn, context, once);
  }

  /**
   * Removes every listener of `event`, or of every event.
   *
   * @example
   * client.removeAllListeners('attempt'); // stop tracing attempts
   */
  removeAllListeners(event?: keyof E & string): this {
    this.#emitter.removeAllListeners(event);
    this.listenersChanged();
    return this;
  }

  /**
   * Calls the listeners of `event` with `args`; whether there were any. The client emits its own
   * events; emitting one of them yourself makes its listeners see something that did not happen.
   *
   * @example
   * // In bulwark's own code: the listeners of 'retry' hear of a retry.
   * client.emit('retry', event);
   */
  emit<K extends keyof E & string>(event: K, ...args: Args<E, K>): boolean {
    return this.#emitter.emit(event, ...args);
  }

  /**
   * The listeners of `event`.
   *
   * @example
   * for (const fn of client.listeners('health')) client.off('health', fn);
   */
  listeners<K extends keyof E & string>(event: K): Array<(...args: Args<E, K>) => void> {
    return this.#emitter.listeners(event) as Array<(...args: Args<E, K>) => void>;
  }

  /**
   * How many listeners `event` has.
   *
   * @example
   * if (client.listenerCount('discoveryError') === 0) client.on('discoveryError', (e) => log.error(e.error));
   */
  listenerCount(event: keyof E & string): number {
    return this.#emitter.listenerCount(event);
  }

  /**
   * The events that have listeners.
   *
   * @example
   * log.debug({ listening: client.eventNames() });
   */
  eventNames(): Array<keyof E & string> {
    return this.#emitter.eventNames() as Array<keyof E & string>;
  }
}
