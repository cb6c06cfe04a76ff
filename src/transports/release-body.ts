// How bulwark lets go of a request body it will never send: as fetch cancels a body whose
// request is aborted, and as undici's request() destroys a stream body whenever it fails.

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
