import { EventEmitter } from 'eventemitter3';

type Names<E extends EventEmitter.ValidEventTypes> = EventEmitter.EventNames<E>;
type Listener<E extends EventEmitter.ValidEventTypes, T extends Names<E>> = EventEmitter.EventListener<E, T>;

/**
 * eventemitter3's emitter, telling its subclass when listeners come and go. The client uses it
 * to plug its event observer into the call pipeline only while someone listens, so events
 * nobody listens to cost nothing per call, not even a listener count.
 */
export class ObservedEmitter<E extends EventEmitter.ValidEventTypes> extends EventEmitter<E> {
  /** Called after every change to the listeners. */
  protected listenersChanged(): void {}

  override on<T extends Names<E>>(event: T, fn: Listener<E, T>, context?: unknown): this {
    super.on(event, fn, context);
    this.listenersChanged();
    return this;
  }

  override addListener<T extends Names<E>>(event: T, fn: Listener<E, T>, context?: unknown): this {
    super.addListener(event, fn, context);
    this.listenersChanged();
    return this;
  }

  override once<T extends Names<E>>(event: T, fn: Listener<E, T>, context?: unknown): this {
    super.once(event, fn, context);
    this.listenersChanged();
    return this;
  }

  override removeListener<T extends Names<E>>(event: T, fn?: Listener<E, T>, context?: unknown, once?: boolean): this {
    super.removeListener(event, fn, context, once);
    this.listenersChanged();
    return this;
  }

  override off<T extends Names<E>>(event: T, fn?: Listener<E, T>, context?: unknown, once?: boolean): this {
    super.off(event, fn, context, once);
    this.listenersChanged();
    return this;
  }

  override removeAllListeners(event?: Names<E>): this {
    super.removeAllListeners(event);
    this.listenersChanged();
    return this;
  }
}
