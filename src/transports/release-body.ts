// How bulwark lets go of a request body it will never send: as fetch cancels a body whose
// request is aborted, and as undici's request() destroys a stream body whenever it fails. And
// how it tells a stream body's own failure (a file gone, a broken upstream) from the network's.
import { PassThrough, Readable } from 'node:stream';
import type { Judgement } from './transport.js';

/**
 * Ends a stream request body that no attempt will send, so its source stops (a file stream
 * closes its descriptor, an upload being passed on its socket): a Node `Readable` is destroyed
 * with `reason`, a `ReadableStream` not locked by a reader is cancelled with it. Other bodies
 * (strings, buffers, blobs, form data, async iterables) hold nothing and are left as they are.
 * Never throws.
 *
 * @example
 * releaseBody(init.body, new TimeoutError('users', 'total', 2_000));
 */
export function releaseBody(body: unknown, reason: unknown): void {
  if (!isStreamBody(body)) return;
  try {
    if (body instanceof ReadableStream) {
      if (!body.locked) body.cancel(reason).catch(ignore);
      return;
    }
    const stream = body as { on(event: string, listener: () => void): unknown; destroy(error?: unknown): unknown; destroyed?: unknown };
    if (stream.destroyed === true) return;
    // As undici does: the error it is destroyed with goes nowhere (no listener would crash the process).
    stream.on('error', ignore);
    stream.destroy(reason);
  } catch {
    // A body whose members throw: there is nothing more to release.
  }
}

/**
 * `call`, which releases `body` ({@link releaseBody}) when it rejects while `sent()` says no
 * attempt handed the body to the HTTP client (once one did, that client ends it itself). A
 * body that is no stream adds nothing: `call` is returned as it is.
 *
 * @example
 * return releaseUnsent(this.#run(transport, settings), init.body, () => transport.sent);
 */
export function releaseUnsent<T>(call: Promise<T>, body: unknown, sent: () => boolean): Promise<T> {
  if (!isStreamBody(body)) return call;
  return call.catch((err: unknown) => {
    if (!sent()) releaseBody(body, err);
    throw err;
  });
}

/** Whether {@link releaseBody} has something to end in `body`. */
function isStreamBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  if (body instanceof ReadableStream) return true;
  try {
    const stream = body as { pipe?: unknown; on?: unknown; destroy?: unknown };
    return typeof stream.pipe === 'function' && typeof stream.on === 'function' && typeof stream.destroy === 'function';
  } catch {
    return false;
  }
}

function ignore(): void {}

/**
 * Errors that came from a request body's own source, seen by the relays {@link watchedBody}
 * hands the HTTP client: the caller's failure, not the endpoint's.
 */
const BODY_SOURCE_ERRORS = new WeakSet<object>();

/**
 * The judgement of an attempt whose request body's own source failed: it would fail on every
 * endpoint alike, so it is not retried and says nothing about the endpoint (as an invalid request).
 */
export const BODY_SOURCE_FAILED: Judgement = Object.freeze({ verdict: 'failure', reason: 'body source failed', invalid: true });

/** Whether `error` (or its `cause`, as fetch wraps it) came from a request body's own source, through {@link watchedBody}. */
export function failedInBody(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  if (BODY_SOURCE_ERRORS.has(error)) return true;
  try {
    const cause: unknown = (error as { cause?: unknown }).cause;
    return cause !== null && typeof cause === 'object' && BODY_SOURCE_ERRORS.has(cause);
  } catch {
    return false;
  }
}

/**
 * What to hand the HTTP client in place of a stream body, so that an error of the body's own
 * source is known for one ({@link failedInBody}): a Node `Readable` is piped through a relay
 * stream (destroying the relay, as undici does when it fails, destroys the source with the same
 * error, which is then not the source's); a `ReadableStream` becomes another one (`web`) or an
 * async iterable; another (async) iterable is iterated by an async generator, whose end
 * (`return()`) ends the source's iteration. Anything else (strings, buffers, blobs, form data)
 * is returned as it is.
 *
 * @example
 * pool.request({ ...options, body: watchedBody(options.body) });
 */
export function watchedBody(body: unknown, web = false): unknown {
  if (body === null || typeof body !== 'object') return body;
  if (body instanceof Readable) return relayReadable(body);
  if (body instanceof ReadableStream) return web ? relayWebStream(body) : relayIterable(body as AsyncIterable<unknown>);
  if (Symbol.asyncIterator in body) return relayIterable(body as AsyncIterable<unknown>);
  // A sync iterable of chunks; not bytes, nor form data or search params (iterable too, and sent again as they are).
  if (Symbol.iterator in body && !ArrayBuffer.isView(body) && typeof (body as { append?: unknown }).append !== 'function') return relayIterable(body as Iterable<unknown>);
  return body;
}

function remember(error: unknown): void {
  if (error !== null && typeof error === 'object') BODY_SOURCE_ERRORS.add(error);
}

/** A relay of `source`'s chunks: its source's errors are remembered, the client's destroy goes on to the source. */
function relayReadable(source: Readable): Readable {
  /** The client ended the relay (it failed, or is done): what the source emits after is not the source's own doing. */
  let byClient = false;
  let fromSource = false;
  let ended = false;
  const relay = new PassThrough({
    objectMode: source.readableObjectMode,
    destroy(error, callback) {
      if (!fromSource) {
        byClient = true;
        if (!source.destroyed) source.destroy(error ?? undefined);
      }
      callback(error);
    },
  });
  const gone = (error: unknown): void => {
    if (byClient || relay.destroyed) return;
    // Destroyed by its owner with no error (an upload cancelled): the request still ends for the
    // source's doing, not the endpoint's, with an error that says so.
    const reason = error ?? new Error('the request body stream was destroyed before its end (with no error)');
    remember(reason);
    fromSource = true;
    relay.destroy(reason as Error);
  };
  // Also keeps a source's error from going unhandled once the client has let go of the relay.
  source.on('error', gone);
  // And the relay's own: the client listens to it only while the request is in its hands (not
  // yet while it waits in a queue, nor once taken out of one), and an error with no listener
  // would end the process. The client still hears it whenever it listens.
  relay.on('error', ignore);
  source.once('end', () => { ended = true; });
  // Closed before its end: as undici does for a body closed early, the request is aborted (with the error, if any).
  source.once('close', () => { if (!ended) gone(source.errored ?? undefined); });
  if (source.readableEnded) relay.end();
  else if (source.destroyed) gone(source.errored ?? undefined);
  else source.pipe(relay);
  return relay;
}

/** An async generator over `source`: an error of its iteration is the source's. */
async function* relayIterable(source: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<unknown, void, undefined> {
  try {
    for await (const chunk of source) yield chunk;
  } catch (err) {
    remember(err);
    throw err;
  }
}

/** A `ReadableStream` over `source`, read only as it is read: an error of the source's read is the source's; cancelling it cancels the source. */
function relayWebStream(source: ReadableStream): ReadableStream {
  let reader: ReadableStreamDefaultReader | undefined;
  return new ReadableStream({
    async pull(controller) {
      reader ??= source.getReader();
      let next: Awaited<ReturnType<ReadableStreamDefaultReader['read']>>;
      try {
        next = await reader.read();
      } catch (err) {
        remember(err);
        throw err;
      }
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader === undefined ? source.cancel(reason) : reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
