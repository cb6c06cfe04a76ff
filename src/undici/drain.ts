// How bulwark reads away a response it will not hand to the caller (a retried 503, a hedge's
// loser), so that its socket can carry the next request.

/** Bytes read away at most; past this the body is aborted (undici's dump interceptor's rule). */
export const DRAIN_LIMIT: number = 128 * 1024;

/**
 * How long reading it away may take; past this the body is aborted and its socket closed
 * (ours: a body that stalls must not hold a connection, or the server's request, after the call).
 */
export const DRAIN_TIMEOUT_MS = 1_000;
