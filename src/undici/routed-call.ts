import { errors, type Dispatcher } from 'undici';
import type { Client } from '../client.js';
import { runTransport } from '../client-seams.js';
import type { ExecuteOptions } from '../config/options.js';
import type { RoutedAttempt, ResponseSink } from './routed-attempt.js';
import { RoutedTransport } from './routed-transport.js';
import { withoutBodyHeaders } from './headers.js';
import { messageOf } from '../message-of.js';

type Headers = Record<string, string | string[] | undefined>;

/**
 * One request an interceptor routed through a client. To the caller's handler it is the
 * dispatch controller (abort, pause, resume); to the chosen attempt it is where the response
 * goes. Once the response's head went to the caller the call is over: nothing is retried after.
 */
export class RoutedCall implements Dispatcher.DispatchController, ResponseSink {
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #transport: RoutedTransport;
  #attempt: RoutedAttempt | undefined;
  #aborted = false;
  #paused = false;
  #reason: Error | null = null;
  /**
   * Set when the call started with no endpoint known: until its first attempt it cannot be reached
   * but through a signal (it may wait for a first endpoint set), so it gets one, as a caller's
   * signal given to `client.fetch`. Calls started with endpoints reach their first attempt at once.
   */
  #waiting: AbortController | undefined;
  /** The caller's handler has heard the end (or an error): nothing more goes to it. */
  #done = false;

  constructor(service: string, dispatch: Dispatcher['dispatch'], options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    this.#handler = handler;
    this.#transport = new RoutedTransport(service, dispatch, options);
  }

  /** Starts the call through `client`'s pipeline. */
  run(client: Client, call: ExecuteOptions<RoutedAttempt> | undefined): void {
    try {
      this.#handler.onRequestStart?.(this, {});
    } catch (err) {
      this.error(err as Error);
      return;
    }
    if (this.#aborted) {
      this.error(this.#reason!);
      return;
    }
    let options = call;
    if (client.endpoints().length === 0) {
      this.#waiting = new AbortController();
      options = { ...call, signal: this.#waiting.signal };
    }
    runTransport(client, options, (setup) => {
      this.#transport.statusCodes = setup.options.statusCodes;
      return this.#transport;
    }).then(this.#respond, this.#fail);
  }

  readonly #respond = (attempt: RoutedAttempt): void => {
    if (this.#done || this.#aborted) {
      // The caller aborted while the result was on its way: it gets its reason, not the response.
      attempt.discard();
      this.error(this.#reason ?? new Error('aborted'));
      return;
    }
    this.#attempt = attempt;
    attempt.forward(this);
  };

  // A caller's abort reason goes to the caller as it is, an Error or not (README, "Errors").
  readonly #fail = (error: unknown): void => {
    this.error(error as Error);
  };

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  // A response whose body was read away before a retry is forwarded without its content-length
  // and transfer-encoding, its raw headers too: a handler of undici's older API (Node's fetch,
  // `responseHeaders: 'raw'`) builds its headers from them, and must not be told of a body it
  // does not get, nor lose the others (a Retry-After).
  get rawHeaders(): Exclude<Dispatcher.DispatchController['rawHeaders'], undefined> {
    const attempt = this.#attempt;
    if (attempt === undefined) return null;
    const raw = attempt.controller?.rawHeaders ?? null;
    return attempt.detached && raw !== null ? withoutBodyHeaders(raw) : raw;
  }

  get rawTrailers(): Exclude<Dispatcher.DispatchController['rawTrailers'], undefined> {
    const attempt = this.#attempt;
    return attempt === undefined || attempt.detached ? null : (attempt.controller?.rawTrailers ?? null);
  }

  abort(reason?: Error): void {
    if (this.#aborted) return;
    // Without a reason (a legacy handler's `abort()`, `pipeline()`'s destroy), as undici does.
    reason ??= new errors.RequestAbortedError();
    this.#aborted = true;
    this.#reason = reason;
    const inner = this.#attempt?.controller;
    if (inner !== undefined) {
      // The response is the caller's: stop it. Its handler hears the error now and nothing after,
      // also when the response had all arrived already (aborting undici's request then does nothing).
      if (this.#done) return;
      if (!inner.aborted) inner.abort(reason);
      this.error(reason);
    } else if (this.#transport.call !== undefined) {
      this.#transport.call.interrupt(reason);
    } else if (this.#waiting !== undefined) {
      // Ends the wait at once with the reason: no attempt starts, no endpoint hears of it.
      this.#waiting.abort(reason);
    } else {
      this.#transport.abortedWith = { reason };
    }
  }

  pause(): void {
    this.#paused = true;
    this.#attempt?.controller?.pause();
  }

  resume(): void {
    this.#paused = false;
    const attempt = this.#attempt;
    if (attempt === undefined) return;
    // What was held while paused goes first; the socket is resumed only if that did not pause again.
    attempt.flush();
    if (!this.#paused) attempt.controller?.resume();
  }

  // ResponseSink: the chosen attempt's response, passed on to the caller's handler.

  // A handler method that throws (undici.stream's factory, say) ends the request with its error, as
  // undici's own dispatchers do: the attempt is aborted and the handler hears the error.

  head(statusCode: number, headers: Headers, statusMessage: string | undefined): void {
    if (this.#done) return;
    try {
      this.#handler.onResponseStart?.(this, statusCode, headers as Record<string, string | string[]>, statusMessage);
    } catch (err) {
      this.#threw(err);
    }
  }

  data(chunk: Buffer): void {
    if (this.#done || this.#aborted) return;
    try {
      this.#handler.onResponseData?.(this, chunk);
    } catch (err) {
      this.#threw(err);
    }
  }

  end(trailers: Headers): void {
    if (this.#done || this.#aborted) return;
    this.#done = true;
    try {
      this.#handler.onResponseEnd?.(this, trailers as Record<string, string | string[]>);
    } catch {
      // The response is over and the handler has heard its end: there is nothing left to fail.
    }
  }

  error(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#handler.onResponseError?.(this, error);
    } catch {
      // Nowhere else to report it: the handler was told.
    }
  }

  #threw(err: unknown): void {
    const error = err instanceof Error ? err : new Error(messageOf(err), { cause: err });
    this.#aborted = true;
    this.#reason ??= error;
    this.error(error);
    const inner = this.#attempt?.controller;
    if (inner !== undefined && !inner.aborted) inner.abort(error);
  }
}
