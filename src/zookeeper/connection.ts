// A node-zookeeper-client Client's connection, as the session drives it: waiting until it is
// connected, and closing one of ours so that nothing of it outlives the adapter (its internals
// read only to know when it has let go, or to drop a socket that went silent).
import { isConnected, ZookeeperError, type ZookeeperClient } from './client.js';

/** Resolves when `client` connects; rejects on expiry, failed authentication, abort or after `timeoutMs`. */
export function waitForConnection(client: ZookeeperClient, path: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: ZookeeperError): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      client.removeListener('connected', onConnected);
      client.removeListener('connectedReadOnly', onConnected);
      client.removeListener('expired', onExpired);
      client.removeListener('authenticationFailed', onAuthFailed);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onConnected = (): void => finish();
    const onExpired = (): void => finish(new ZookeeperError('SESSION_EXPIRED', 'the ZooKeeper session expired while reconnecting', path));
    const onAuthFailed = (): void => finish(new ZookeeperError('AUTH_FAILED', 'ZooKeeper refused the client\'s credentials', path));
    const onAbort = (): void => finish(new ZookeeperError('NOT_CONNECTED', 'the ZooKeeper adapter stopped', path));
    const timer = setTimeout(() => finish(new ZookeeperError('NOT_CONNECTED', `not connected to ZooKeeper within ${Math.round(timeoutMs)} ms`, path)), timeoutMs);
    timer.unref();
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    client.on('connected', onConnected);
    client.on('connectedReadOnly', onConnected);
    client.on('expired', onExpired);
    client.on('authenticationFailed', onAuthFailed);
  });
}

/** node-zookeeper-client's internal connection manager: read to know whether a client is still connecting and when a closed one has let go; its socket is dropped when it went silent (see Liveness). */
export interface ConnectionInternals {
  readonly connectionManager?: { readonly state?: number; readonly socket?: { destroyed?: boolean; destroy?: () => void } };
}

const CLOSED = -2;
const CLOSE_WAIT_MS = 3_000;

/**
 * Closes a client of ours (ending its session, which removes its ephemeral nodes at once) and
 * waits, at most 3 s, until its connection manager is closed, so no reconnect timer or socket
 * of it outlives the adapter's stop. Past that, its socket is destroyed.
 */
export async function closeClient(client: ZookeeperClient): Promise<void> {
  const manager = (client as unknown as ConnectionInternals).connectionManager;
  const deadline = performance.now() + CLOSE_WAIT_MS;
  const pause = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 20).unref());
  // node-zookeeper-client can not close a client while it connects: its close request goes out
  // ahead of the connect answer (or, before the socket exists, close() throws and the connect
  // goes ahead), the connect answer is then read as the close's (an uncaught "Unknown code"
  // exception) and the session it opens stays on the server. So a connection attempt in flight
  // (no socket yet, or one not destroyed) is waited for: connected, the session is closed as usual.
  while (manager !== undefined && manager.state !== CLOSED && manager.socket?.destroyed !== true && !isConnected(client) && performance.now() < deadline) await pause();
  try {
    client.close();
  } catch {
    return;
  }
  if (manager === undefined || typeof manager.state !== 'number') return;
  while (performance.now() < deadline) {
    if (manager.state === CLOSED && manager.socket?.destroyed !== false) return;
    await pause();
  }
  manager.socket?.destroy?.();
}
