// Which errors undici reported as failures to connect (docs/architecture.md, "Transports").
// A connection that was never set up sent no byte of any request, whatever the error's code says:
// a TLS handshake the server reset fails with `read ECONNRESET`, the code of a connection lost
// mid-request; a certificate that is refused has codes of its own. undici publishes each such
// error on its `undici:client:connectError` diagnostics channel (its bundled copy in Node's
// `fetch` does too) before it fails the requests that waited for that connection with it.
// Subscribed when the first client is made (`watchConnectErrors`), not on import.
import { subscribe } from 'node:diagnostics_channel';

/** Errors undici published as connect errors; the requests they fail were never sent. */
const connectErrors = new WeakSet<object>();
let watching = false;

/**
 * Starts keeping undici's connect errors, once per process (the first client made calls it, so
 * that importing bulwark subscribes to nothing: the package has no side effects on import).
 *
 * @example
 * watchConnectErrors(); // in the Client constructor
 */
export function watchConnectErrors(): void {
  if (watching) return;
  watching = true;
  subscribe('undici:client:connectError', (message) => {
    const error = (message as { error?: unknown } | null)?.error;
    if (error !== null && typeof error === 'object') connectErrors.add(error);
  });
}

/**
 * Whether undici failed to connect with `error`: the request it fails was not sent.
 *
 * @example
 * if (isConnectError(err.cause)) return 'not-sent'; // fetch's TypeError('fetch failed') wraps it
 */
export function isConnectError(error: object): boolean {
  return connectErrors.has(error);
}
