// How a registry adapter (Consul, ZooKeeper, Eureka) pushes its sets: only when the set
// changed, and always after an error was reported (docs/architecture.md, "Discovery adapters").
import type { EndpointInit } from '../endpoints/endpoint.js';

/** Pushes a discovery adapter's sets; see {@link setPusher}. */
export interface SetPusher {
  /**
   * Pushes `endpoints` unless they are the set pushed last and no error was reported since;
   * returns whether it pushed.
   */
  push(endpoints: readonly EndpointInit[]): boolean;
  /** Reports `err` through the adapter's error callback: the next set is pushed even when unchanged. */
  error(err: unknown): void;
  /** Whether any set was pushed yet. */
  readonly everPushed: boolean;
}

/**
 * Pushes a set when it differs from the last one pushed, so a registry answering the same
 * instances at every refresh costs the client nothing; and the first set after a reported
 * error even when unchanged, as that push is what tells the client discovery works again (it
 * forgets the error a `NoEndpointsError` would name).
 *
 * @example
 * const sets = setPusher(update, error);
 * sets.push(endpoints); // pushed when new
 * sets.error(new ConsulError(service, 'Consul answered 500')); // the next set is pushed
 */
export function setPusher(update: (endpoints: readonly EndpointInit[]) => void, error: (err: unknown) => void): SetPusher {
  let pushed: string | undefined;
  let failed = false;
  let ever = false;
  return {
    push(endpoints) {
      const text = JSON.stringify(endpoints);
      if (text === pushed && !failed) return false;
      pushed = text;
      failed = false;
      ever = true;
      update(endpoints);
      return true;
    },
    error(err) {
      failed = true;
      error(err);
    },
    get everPushed() {
      return ever;
    },
  };
}
