// How a grpc-js call of an attempt lives: started on a leased channel without a stack trace,
// its lease ended with its status, a stream following the caller's abort, and the streams
// handed to callers cancelled by close().
import { unwatchSignal, watchSignal } from '../call/caller-signal.js';
import type { AttemptHandle } from '../transports/transport.js';
import type { Lease } from './channels.js';
import { notStarted } from './codes.js';

/** A grpc-js call as what follows its life sees it. */
type StreamCall = { cancel(): void; once(event: 'status', listener: () => void): unknown };

/**
 * Streams handed to callers and still running: `close()` cancels them, so no call outlives the
 * client (grpc-js's own `close()` lets running calls finish). An established stream also holds
 * its endpoint (`AttemptHandle.hold`): its attempt ended at establishment, but it counts in the
 * endpoint's `inflight` (what `leastRequest` and `peakEwma` weigh) until its status or `close()`.
 */
export class OpenStreams {
  /** Each running stream, with the release of its hold on its endpoint once it has one. */
  readonly #open = new Map<StreamCall, (() => void) | undefined>();

  /** Tracks `call` until its status arrives; given its `attempt`, the stream is established: see {@link hold}. */
  add(call: StreamCall, attempt?: AttemptHandle): void {
    this.#open.set(call, attempt?.hold());
    call.once('status', () => {
      const release = this.#open.get(call);
      this.#open.delete(call);
      release?.();
    });
  }

  /** The tracked `call` is established: it counts in its endpoint's `inflight` until it ends. */
  hold(call: StreamCall, attempt: AttemptHandle): void {
    if (this.#open.has(call) && this.#open.get(call) === undefined) this.#open.set(call, attempt.hold());
  }

  cancelAll(): void {
    for (const [call, release] of this.#open) {
      try {
        call.cancel();
      } catch {
        // A client interceptor's `cancel` that throws must not keep the other streams open.
      }
      // Released here too: a cancel an interceptor stopped brings no status.
      release?.();
    }
    this.#open.clear();
  }
}

/**
 * Starts a grpc-js call (`start` calls `client.make…Request`) without capturing a stack trace.
 * grpc-js records its caller's stack on every call (a `new Error()`, printed after "for call
 * at" in a failed call's `error.stack`). Under bulwark those frames are the pipeline's own —
 * the caller's code lies more than `Error.stackTraceLimit` frames up, or the attempt is a retry
 * started from a timer — and capturing them through optimized, inlined frames cost about 12 %
 * of a unary call's client CPU (bench/README.md, "gRPC"). A failed call's stack then ends with
 * "for call at / no stack trace available"; its code, details and metadata are unchanged.
 */
export function startWithoutStack<C>(start: () => C): C {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // A frozen Error (a hardened realm): leave it as it is.
    return start();
  }
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * After establishment the caller's abort still cancels a stream, until it ends. Through the
 * pipeline's one listener per signal (call/caller-signal.ts), not one per stream: a signal shared
 * by many streams (a server's shutdown signal) gets no listener per stream, and no
 * MaxListenersExceededWarning.
 */
export function followCaller(call: StreamCall, signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  if (signal.aborted) {
    cancelQuietly(call);
    return;
  }
  const follower = { interrupt: (): void => cancelQuietly(call) };
  watchSignal(signal, follower);
  call.once('status', () => unwatchSignal(signal, follower));
}

/**
 * Cancels `call`; grpc-js runs a client interceptor's `cancel` (the user's code) inside, and
 * what it throws must neither escape the caller's abort as an uncaught exception nor keep the
 * other streams on that signal open (as for `close()`, {@link OpenStreams.cancelAll}).
 */
function cancelQuietly(call: StreamCall): void {
  try {
    call.cancel();
  } catch {
    // The interceptor's fault; the stream may run on until its deadline.
  }
}

/**
 * Starts one attempt's grpc-js call on its leased channel without capturing a stack trace (see
 * {@link startWithoutStack}); a call that fails to start (a client interceptor, the call's
 * metadata or options that throw) ends the lease at once, as no status will, and its error is
 * marked as one that sent nothing (see `notStarted`).
 */
export function startCall<C>(lease: Lease, start: (client: Lease['client']) => C): C {
  try {
    return startWithoutStack(() => start(lease.client));
  } catch (err) {
    lease.end();
    throw notStarted(err);
  }
}

/** Ends `lease` when the stream's status arrives: a stream counts on its channel for as long as it runs. */
export function endWithStatus(call: Pick<StreamCall, 'once'>, lease: Lease): void {
  call.once('status', () => lease.end());
}
