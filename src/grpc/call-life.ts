// How a grpc-js call of an attempt lives: started on a leased channel without a stack trace,
// its lease ended with its status, a stream following the caller's abort, and the streams
// handed to callers cancelled by close().
import { unwatchSignal, watchSignal } from '../call/caller-signal.js';
import type { Lease } from './channels.js';

/**
 * Streams handed to callers and still running: `close()` cancels them, so no call outlives the
 * client (grpc-js's own `close()` lets running calls finish).
 */
export class OpenStreams {
  readonly #open = new Set<{ cancel(): void }>();

  /** Tracks `call` until its status arrives. */
  add(call: { cancel(): void; once(event: 'status', listener: () => void): unknown }): void {
    this.#open.add(call);
    call.once('status', () => this.#open.delete(call));
  }

  cancelAll(): void {
    for (const call of this.#open) {
      try {
        call.cancel();
      } catch {
        // A client interceptor's `cancel` that throws must not keep the other streams open.
      }
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
export function followCaller(call: { cancel(): void; once(event: 'status', listener: () => void): unknown }, signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  if (signal.aborted) {
    call.cancel();
    return;
  }
  const follower = { interrupt: (): void => call.cancel() };
  watchSignal(signal, follower);
  call.once('status', () => unwatchSignal(signal, follower));
}

/**
 * Starts one attempt's grpc-js call on its leased channel without capturing a stack trace (see
 * {@link startWithoutStack}); a call that fails to start (a client interceptor that throws) ends
 * the lease at once, as no status will.
 */
export function startCall<C>(lease: Lease, start: (client: Lease['client']) => C): C {
  try {
    return startWithoutStack(() => start(lease.client));
  } catch (err) {
    lease.end();
    throw err;
  }
}

/** Ends `lease` when the stream's status arrives: a stream counts on its channel for as long as it runs. */
export function endWithStatus(call: { once(event: 'status', listener: () => void): unknown }, lease: Lease): void {
  call.once('status', () => lease.end());
}
