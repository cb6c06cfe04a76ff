// How bulwark reads away a response it will not hand to the caller (a retried 503, a hedge's
// loser), so that its socket can carry the next request.

/** Bytes read away at most; past this the body is aborted (undici's dump interceptor's rule). */
export const DRAIN_LIMIT: number = 128 * 1024;

/**
 * How long reading it away may take; past this the body is aborted and its socket closed
 * (ours: a body that stalls must not hold a connection, or the server's request, after the call).
 */
export const DRAIN_TIMEOUT_MS = 1_000;

/**
 * How long a health check's body may take to be read away. A check is over once its status is
 * known, and the next one may start an interval later: a body that did not come with the status
 * (a health body usually does) is given up soon, as the fetch check cancels its body, or a body
 * that stalls would hold one more connection per check.
 */
export const CHECK_DRAIN_TIMEOUT_MS = 50;

/** The part of undici's response body {@link drainBody} uses. */
interface Dumpable {
  dump(options: { limit: number; signal: AbortSignal }): Promise<unknown>;
}

/**
 * Reads `body` away in the background so its socket can carry the next request: at most
 * DRAIN_LIMIT bytes, within `timeout` ms (DRAIN_TIMEOUT_MS), else the body is destroyed and its
 * socket closed. Never rejects, never throws.
 *
 * @example
 * drainBody(res.body); // a retried 503's body
 */
export function drainBody(body: Dumpable, timeout: number = DRAIN_TIMEOUT_MS): void {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  timer.unref();
  try {
    body.dump({ limit: DRAIN_LIMIT, signal: controller.signal }).catch(ignore).finally(() => clearTimeout(timer));
  } catch {
    clearTimeout(timer);
  }
}

function ignore(): void {}
