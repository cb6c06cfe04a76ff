import type { Dispatcher } from 'undici';
import { DRAIN_LIMIT, DRAIN_TIMEOUT_MS } from './drain.js';
import { withoutBodyHeaders } from './headers.js';

type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

/**
 * Bytes held before the pipeline has judged a response; past this the response is paused. The
 * judgement takes only microtasks, so usually no more than one socket read arrives before it,
 * and pausing (which makes undici's parser stop and push data back) is rarely needed.
 */
const HOLD_LIMIT = 64 * 1024;

/**
 * Errors of attempts that failed after a redirect hop (an undici redirect interceptor composed
 * under bulwark's followed the endpoint's 3xx): the endpoint answered, so the failure is no proof
 * that nothing was sent.
 */
const AFTER_REDIRECT = new WeakSet<object>();

/** Whether `error` ended an attempt after the endpoint had answered with a redirect that was followed. */
export function failedAfterRedirect(error: unknown): boolean {
  return error !== null && typeof error === 'object' && AFTER_REDIRECT.has(error);
}

/** Where a chosen attempt's response goes: the routed call, which passes it to the caller's handler. */
export interface ResponseSink {
  readonly paused: boolean;
  head(statusCode: number, headers: Headers, statusMessage: string | undefined): void;
  data(chunk: Buffer): void;
  end(trailers: Headers): void;
  error(error: Error): void;
}

/**
 * One attempt of a routed request: the handler undici calls for it. It settles `promise` when
 * the response headers arrive (or the attempt fails), then holds the response — its first
 * chunks buffered, paused only past HOLD_LIMIT — until the pipeline has judged it: the call's
 * winner is forwarded to the caller's handler, a retried or losing one is read away so its
 * socket is kept.
 */
export class RoutedAttempt implements Dispatcher.DispatchHandler {
  readonly promise: Promise<RoutedAttempt>;
  controller: Controller | undefined;
  statusCode = 0;
  headers: Headers = {};
  statusMessage: string | undefined;
  /** Set by `detach`: the response's body was read away; only its status and headers remain. */
  detached = false;
  #resolve!: (value: RoutedAttempt) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  #sink: ResponseSink | undefined;
  #chunks: Buffer[] | undefined;
  #trailers: Headers | undefined;
  #error: Error | undefined;
  #draining = false;
  #drained = 0;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #held = 0;
  #pausedHere = false;
  #cancelled: unknown;
  /** While it waits in a dispatcher's queue: how to take it out (undici's queued-abort hook). */
  #unqueue: ((reason: Error) => void) | undefined;
  /**
   * The hops of a redirect interceptor under bulwark's: undici's redirect handler hands every hop's
   * start the same `history` array, to which it adds each URL it follows (a hop whose connection
   * is refused is not started at all).
   */
  #history: readonly unknown[] | undefined;

  constructor() {
    this.promise = new Promise<RoutedAttempt>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * The attempt was cut short (timeout, lost hedge, caller abort, close): abort it through undici's
   * controller, or take it out of the dispatcher's queue while it waits there for a connection.
   */
  readonly cancel = (reason: unknown): void => {
    this.#cancelled = reason ?? new Error('aborted');
    this.controller?.abort(this.#cancelled as Error);
    // A later hop (a redirect interceptor composed inside) may wait in a queue while an earlier
    // hop's controller is over: both are told, as undici's own request() does.
    this.#unqueue?.(this.#cancelled as Error);
  };

  /** Undici's queued-abort hook (see queued-abort.ts): called with how to take this attempt out of the dispatcher's queue. */
  readonly queued = (unqueue: (reason: Error) => void): void => {
    if (this.#cancelled !== undefined) unqueue(this.#cancelled as Error);
    else this.#unqueue = unqueue;
  };

  onRequestStart(controller: Controller, context?: unknown): void {
    const history = (context as { history?: unknown } | undefined)?.history;
    if (Array.isArray(history)) this.#history = history;
    this.#unqueue = undefined;
    this.controller = controller;
    if (this.#cancelled !== undefined) controller.abort(this.#cancelled as Error);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    if (statusCode < 200) return; // Interim responses (100 Continue, 103 Early Hints) are not passed on.
    this.statusCode = statusCode;
    this.headers = headers;
    this.statusMessage = statusMessage;
    this.#settled = true;
    this.#resolve(this);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#draining) {
      this.#drain(controller, chunk.length);
      return;
    }
    const sink = this.#sink;
    if (sink !== undefined && this.#chunks === undefined && !sink.paused) {
      sink.data(chunk);
      return;
    }
    // Held until the pipeline has decided what this response is, or while the caller is paused
    // (a chunk undici had parsed before the pause reached it) behind the ones held before it.
    (this.#chunks ??= []).push(chunk);
    this.#held += chunk.length;
    // Past the limit the socket is paused, also for a caller that is paused itself: memory stays
    // bounded (undici's parser stops and pushes back) until the chunks held are passed on.
    if (this.#held > HOLD_LIMIT && !this.#pausedHere) {
      this.#pausedHere = true;
      controller.pause();
    }
  }

  onResponseEnd(_controller: Controller, trailers: Headers): void {
    if (this.#draining) clearTimeout(this.#drainTimer);
    else if (this.#sink !== undefined && this.#chunks === undefined) this.#sink.end(trailers);
    else this.#trailers = trailers;
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (!this.#settled) {
      this.#settled = true;
      if (this.#history !== undefined && this.#history.length > 0 && error !== null && typeof error === 'object') AFTER_REDIRECT.add(error);
      this.#reject(error);
    } else if (this.#draining) {
      clearTimeout(this.#drainTimer);
    } else if (this.#sink !== undefined && this.#chunks === undefined) {
      this.#sink.error(error);
    } else {
      this.#error = error;
    }
  }

  /** Passes the response to `sink`: its head, what was buffered (while the sink takes it), and the rest as it comes. */
  forward(sink: ResponseSink): void {
    if (this.detached) {
      // The body was read away before a retry that did not get a response: an empty body.
      sink.head(this.statusCode, withoutBodyHeaders(this.headers), this.statusMessage);
      sink.end({});
      return;
    }
    this.#sink = sink;
    // A caller that paused before there was a response to pause (in its onRequestStart): the
    // socket stops here, as undici stops reading for a handler paused that early.
    if (sink.paused && this.controller !== undefined && !this.controller.aborted) {
      this.#pausedHere = true;
      this.controller.pause();
    }
    sink.head(this.statusCode, this.headers, this.statusMessage);
    this.flush();
  }

  /**
   * Passes held chunks to the sink while it is not paused (a caller that pauses gets no data
   * until it resumes, as from undici), then the end or error once nothing is held; resumes the
   * socket this attempt paused. The routed call calls it again when its caller resumes.
   */
  flush(): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    const chunks = this.#chunks;
    if (chunks !== undefined) {
      let i = 0;
      while (i < chunks.length && !sink.paused) sink.data(chunks[i++]!);
      if (i < chunks.length) {
        chunks.splice(0, i);
        return;
      }
      this.#chunks = undefined;
      this.#held = 0;
    }
    if (this.#error !== undefined) sink.error(this.#error);
    else if (this.#trailers !== undefined) sink.end(this.#trailers);
    else if (this.#pausedHere && !sink.paused && this.controller?.aborted === false) {
      this.#pausedHere = false;
      this.controller.resume();
    }
  }

  /** Reads the rest of the body away (keeping the socket), or aborts a long one. */
  discard(): void {
    if (this.#sink !== undefined || this.#draining) return;
    this.#draining = true;
    const buffered = this.#chunks;
    this.#chunks = undefined;
    if (this.#trailers !== undefined || this.#error !== undefined || this.controller === undefined) return;
    let size = 0;
    if (buffered !== undefined) for (const c of buffered) size += c.length;
    this.#drain(this.controller, size);
    const controller = this.controller;
    if (!controller.aborted) {
      this.#drainTimer = setTimeout(() => { if (!controller.aborted) controller.abort(new Error('discarded response body too slow to drain')); }, DRAIN_TIMEOUT_MS);
      this.#drainTimer.unref();
    }
    if (this.#pausedHere && !controller.aborted) controller.resume();
  }

  #drain(controller: Controller, bytes: number): void {
    this.#drained += bytes;
    if (this.#drained > DRAIN_LIMIT && !controller.aborted) {
      clearTimeout(this.#drainTimer);
      controller.abort(new Error('discarded response body too large to drain'));
    }
  }
}
