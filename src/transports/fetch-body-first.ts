// A `fetch` of a `Request` with a body: the body is read whole before the first attempt (so it
// can be sent again), within the call's deadline, its caller's signal and the client's close;
// then the call runs. The read's time is the caller's, not an endpoint's.
import type { CallSettings } from '../call/context.js';
import type { Clock } from '../call/clock.js';
import type { CallEngine } from '../call/engine.js';
import { ClientClosedError, TimeoutError } from '../errors.js';
import type { FetchTransport } from './fetch.js';

/**
 * Runs `transport`'s call once its Request's body is read ({@link bodyReadFirst}). The call
 * counts as started from the read's start (`stats().calls` shows it in flight) and as failed
 * if it ends before it runs; it keeps the stages in force now (a `reconfigure` meanwhile is for
 * later calls). `closed`: the client's close() aborts it, with its ClientClosedError.
 *
 * @example
 * return runAfterBody(engine, transport, settings, 'users', closing.signal);
 */
export function runAfterBody(engine: CallEngine, transport: FetchTransport, settings: CallSettings, service: string, closed: AbortSignal): Promise<Response> {
  const stages = engine.stages;
  const early = engine.countEarly();
  return bodyReadFirst(transport, settings, engine.host.clock, service, closed).then(
    (ready) => {
      if (!closed.aborted) return early.run(transport, ready, stages);
      early.failed();
      return Promise.reject(new ClientClosedError(service));
    },
    (err: unknown) => {
      early.failed();
      throw err;
    },
  );
}

/**
 * Reads a fetch call's `Request` body (FetchTransport.readBody) before the pipeline starts it,
 * within the call's total timeout, its caller's signal and the client's close (`closed`); the call
 * then runs under the same total deadline, counted from the start of the read. Rejects with the caller's abort reason, the
 * close's ClientClosedError, a total TimeoutError, or the TypeError of a body that cannot be read.
 *
 * @example
 * const ready = await bodyReadFirst(transport, settings, clock, 'users', closing.signal);
 */
export function bodyReadFirst(transport: FetchTransport, settings: CallSettings, clock: Clock, service: string, closed: AbortSignal): Promise<CallSettings> {
  const started = clock.now();
  const signal = settings.signal;
  const stop = new AbortController();
  return new Promise<CallSettings>((resolve, reject) => {
    // Late, never early: a timer that went off before the deadline (Node counts whole ms) is set again.
    const due = (): void => {
      const left = settings.totalTimeout - (clock.now() - started);
      if (left > 0) {
        timer = clock.setTimer(due, Math.max(1, Math.ceil(left)));
        return;
      }
      end();
      // The read stops too, and the caller's upload with it (as fetch cancels a body on abort).
      stop.abort();
      reject(new TimeoutError(service, 'total', settings.totalTimeout, "before the first attempt (reading the Request's body)"));
    };
    let timer = clock.setTimer(due, settings.totalTimeout);
    // The caller's abort, or the client's close(), ends the wait at once.
    const aborted = (): void => {
      end();
      stop.abort();
      reject(signal?.aborted === true ? signal.reason : closed.reason);
    };
    const end = (): void => {
      timer.clear();
      signal?.removeEventListener('abort', aborted);
      closed.removeEventListener('abort', aborted);
    };
    if (signal?.aborted === true || closed.aborted) return aborted();
    signal?.addEventListener('abort', aborted, { once: true });
    closed.addEventListener('abort', aborted, { once: true });
    transport.readBody(stop.signal).then(() => {
      end();
      const left = settings.totalTimeout - (clock.now() - started);
      if (left > 0) resolve({ ...settings, startedAt: started });
      else reject(new TimeoutError(service, 'total', settings.totalTimeout, "before the first attempt (reading the Request's body)"));
    }, (err: unknown) => {
      end();
      reject(err);
    });
  });
}
