import { settlesWithin, systemClock } from '../call/clock.js';
import { DiscoveryError } from '../errors.js';

/**
 * How long `close()` waits for discovery and configuration sources to stop: well within
 * Kubernetes' default 30 s termination grace period, so a SIGTERM handler awaiting `close()` ends.
 */
export const CLOSE_WAIT_MS = 10_000;

/**
 * Stops a closing client's discovery and configuration sources together, waiting for them at
 * most {@link CLOSE_WAIT_MS}: a stop that never settles (a user's adapter) must not hang
 * `close()`. A discovery stop that throws, and one still running then, go to `report`. The wait
 * is on Node's clock, not the client's: a fake `clock` a test does not move (or one that throws)
 * must not keep `close()` from resolving, as a SIGTERM handler awaits it in real time.
 *
 * @example
 * await stopSources('users', stopDiscovery, [stopConfig], (error) => emit('discoveryError', { error }));
 */
export async function stopSources(service: string, discovery: () => void | Promise<void>, configs: readonly (() => Promise<void>)[], report: (error: unknown) => void): Promise<void> {
  const configsStopped = Promise.all(configs.map((stop) => stop()));
  const discoveryStopped = (async () => {
    try {
      await discovery();
    } catch (err) {
      report(err);
    }
  })();
  if (!(await settlesWithin(systemClock, Promise.all([discoveryStopped, configsStopped]), CLOSE_WAIT_MS))) {
    report(new DiscoveryError(service, `discovery or a configuration source did not stop within ${CLOSE_WAIT_MS / 1000} s of close(); close() no longer waits for it`));
  }
}
