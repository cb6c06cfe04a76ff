// A `Request`'s body, read whole before a call's first attempt (docs/architecture.md, "Transports"):
// every attempt then sends those bytes, and the read stops, cancelling the caller's stream, when the call ends first.
import { releaseBody } from './release-body.js';

/**
 * The body of `request` as a Blob (typed by its content-type, as `request.blob()` does), read
 * from a clone (the caller's Request stays unread) until `signal` aborts: then the clone's
 * stream and the caller's are cancelled, as fetch cancels a request's body when it is aborted,
 * so the source (an upload passed on as it arrives) stops too and nothing is read for nobody.
 */
function readBlob(request: Request, signal: AbortSignal | undefined): Promise<Blob> {
  const clone = request.clone();
  const body = clone.body;
  if (body === null || signal === undefined) return clone.blob();
  signal.addEventListener('abort', () => {
    // Both halves of the tee `clone()` made must be cancelled for the source to be.
    releaseBody(request.body, signal.reason);
  }, { once: true });
  const type = clone.headers.get('content-type');
  const piped = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), { signal });
  return new Response(piped, type === null ? undefined : { headers: { 'content-type': type } }).blob();
}

/**
 * {@link readBlob}, rejecting (not throwing) for a body already read, which `clone()` throws for.
 *
 * @example
 * const blob = await readBlobOrReject(request, settings.signal);
 */
export function readBlobOrReject(request: Request, signal: AbortSignal | undefined): Promise<Blob> {
  try {
    return readBlob(request, signal);
  } catch (err) {
    return Promise.reject(err);
  }
}
