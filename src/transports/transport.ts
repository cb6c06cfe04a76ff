import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { Outcome, Verdict } from '../config/options.js';

/** What a transport sees of the attempt it runs. */
export interface AttemptHandle {
  /** 1 for the first attempt of the call, 2 for the next (a retry or a hedge), … */
  readonly attempt: number;
  /**
   * Aborted when this attempt times out, loses a hedge race, the caller aborts or the client
   * closes. Created on first read, so a transport that never reads it pays nothing.
   */
  readonly signal: AbortSignal;
  /**
   * Milliseconds left before this attempt times out (its own timeout, cut short by the call's
   * total deadline); at least 0. For transports with a deadline of their own (a grpc deadline).
   */
  remaining(): number;
  /**
   * Registers `cancel`, called once with the reason when the attempt is cut short (timeout,
   * lost hedge, caller abort, close): a transport with its own abort handle (an undici
   * dispatch controller) uses it instead of `signal`, so no AbortController is made. One per attempt.
   */
  onCancel(cancel: (reason: unknown) => void): void;
  /**
   * Counts work that outlives the attempt in its endpoint's `inflight`: an established stream
   * (gRPC server or bidi), whose attempt ended at establishment, while it runs. Returns the
   * release, which takes it off again exactly once however often it is called. Latency, health
   * and the attempt's own books are not touched: they measure the attempt.
   */
  hold(): () => void;
  /** What the call was started with, for a transport that serves many calls (execute's `fn`). */
  readonly input: unknown;
}

/** A transport's reading of one finished attempt. */
export interface Judgement {
  readonly verdict: Verdict;
  /** A few words for events: `status 503`, `connection refused`, `attempt timeout`. */
  readonly reason: string;
  /** HTTP status, when there was a response. */
  readonly status?: number | undefined;
  /** Server-requested wait before another try (Retry-After), in ms. */
  readonly retryAfter?: number | undefined;
  /**
   * The attempt provably never reached a server (the connection was refused): retrying it adds
   * no load to the service, so the retry does not draw on the retry budget (Finagle's requeues).
   */
  readonly notSent?: boolean | undefined;
  /**
   * The server asked that the call not be tried again (a negative gRPC pushback, A6): it is not
   * retried and no more hedges are sent, but attempts already running go on.
   */
  readonly noRetry?: boolean | undefined;
  /**
   * The request itself is invalid (a header value fetch refuses, a GET with a body, a path
   * undici refuses, a message grpc-js will not send; or its stream body's own source failed):
   * no endpoint can take it, so it is not retried, says nothing about the endpoint (the attempt
   * ends `'cancelled'`, reason `invalid request`, or `body source failed`), and the caller gets
   * the error as it is, as from plain fetch or undici.
   */
  readonly invalid?: boolean | undefined;
}

/**
 * One kind of call — fetch, execute, and later undici and grpc-js — reduced to what the
 * pipeline needs: run one attempt against one endpoint, and judge every outcome, timeouts
 * included (docs/architecture.md, "Transports"). Usually one instance per call; one that holds
 * nothing of a call (execute without options) serves many and reads the call's `attempt.input`.
 */
export interface Transport<T> {
  /** Whether the call may reach a server twice: attempt timeouts and lost connections are then retried, and hedging is allowed. */
  readonly idempotent: boolean;
  /** False when the request cannot be sent again (a stream body): the call gets one attempt. */
  readonly replayable: boolean;
  /** Starts one attempt. May return a value synchronously or throw synchronously. */
  run(endpoint: LiveEndpoint, attempt: AttemptHandle): T | PromiseLike<T>;
  /**
   * What an outcome means. A timed-out attempt arrives as `{ ok: false, error: TimeoutError }`,
   * so user classifiers see timeouts too. Must not throw (the pipeline guards it anyway).
   */
  judge(outcome: Outcome<T>, endpoint: LiveEndpoint): Judgement;
  /** Releases a value that will never reach the caller (a late or losing Response's body). */
  discard?(value: T): void;
  /**
   * Releases what a value holds while keeping what the caller may still be given: a retried
   * Response loses its body (freeing the connection before the retry is sent) but keeps its
   * status and headers, in case no later attempt gets a response.
   */
  detach?(value: T): T;
  /** The error the caller gets when the call ends without a value; default: `error` itself. */
  failure?(error: unknown): unknown;
}
