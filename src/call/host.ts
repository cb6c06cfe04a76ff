import type { ResolvedOptions } from '../config/resolved.js';
import type { EndpointRegistry } from '../endpoints/registry.js';
import type { HealthTracker } from '../health/tracker.js';
import type { Observers } from '../observe/observer.js';
import type { Picker } from '../pickers/picker.js';
import type { Clock } from './clock.js';
import type { DeadlineWheel } from './deadline-wheel.js';

/** What every call of one client shares: built once by the client, read by the stages. */
export interface CallHost {
  /** Replaced by `client.reconfigure`; a call reads what it needs of it when it starts. */
  options: ResolvedOptions;
  readonly registry: EndpointRegistry;
  readonly picker: Picker;
  /** Whether `picker.pick` may run the user's code (pickers/check.ts, `runsUserCode`). */
  readonly userPicker: boolean;
  readonly clock: Clock;
  readonly wheel: DeadlineWheel;
  readonly observers: Observers;
  /** Passive endpoint health; undefined with `health: false`. */
  readonly health: HealthTracker | undefined;
  /** The last discovery error while no set is known (the cause of NoEndpointsError). */
  lastDiscoveryError: unknown;
  lastCallId: number;
  /** Set by `close()` (the client's `ClientClosedError`): no attempt starts after it. */
  stopped: Error | undefined;
}
