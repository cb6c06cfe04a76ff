// The options after validation and defaulting (config/resolve.ts makes them): what the call
// pipeline, health tracking and the transports read. The options a user writes are in options.ts.
import type { IBreaker } from 'cockatiel';
import type { Endpoint } from '../endpoints/endpoint.js';
import type { HealthOutcome } from './options.js';

/** Hedging after validation. */
export interface ResolvedHedge {
  /** A delay in ms, or a percentile (0–100) of recent latency. */
  readonly delay: number;
  readonly percentile: boolean;
  readonly maxExtraLoad: number;
}

/** Health after validation. */
export interface ResolvedHealth {
  readonly breaker: () => IBreaker;
  readonly ejectionTime: number;
  readonly maxEjectionTime: number;
  readonly maxEjectionPercent: number;
  readonly panicThreshold: number;
  readonly probes: number;
  readonly checks: ResolvedChecks | undefined;
  readonly slowStart: { readonly window: number; readonly aggression: number; readonly minWeight: number } | undefined;
  readonly outliers: ResolvedOutliers | undefined;
  readonly overprovisioning: number;
  readonly isFailure: ((outcome: HealthOutcome) => boolean) | undefined;
}

/** Outlier detection after validation. */
export interface ResolvedOutliers {
  readonly interval: number;
  readonly successRate: { readonly stdevFactor: number; readonly minimumHosts: number; readonly requestVolume: number } | undefined;
  readonly failurePercentage: { readonly threshold: number; readonly minimumHosts: number; readonly requestVolume: number } | undefined;
}

/** Active health checks after validation. */
export interface ResolvedChecks {
  readonly check: ((endpoint: Endpoint, context: { readonly signal: AbortSignal }) => Promise<boolean> | boolean) | undefined;
  readonly path: string;
  readonly interval: number;
  readonly jitter: number;
  readonly timeout: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  /** What the default HTTP check sends with: the client's `fetch` option; `undefined`: `globalThis.fetch`. */
  readonly fetch: typeof globalThis.fetch | undefined;
}

/** The circuit breaker after validation. */
export interface ResolvedCircuit {
  /** The user's factory; `undefined`: the default failure-rate breaker. */
  readonly breaker: (() => IBreaker) | undefined;
  readonly halfOpenAfter: number;
}

/** An option set after validation and defaulting: what the hot path reads. */
export interface ResolvedOptions {
  name: string;
  attemptTimeout: number;
  totalTimeout: number;
  attempts: number;
  budget: { ratio: number; minPerSecond: number; window: number } | false;
  backoffBase: number;
  backoffCap: number;
  statusCodes: ReadonlySet<number>;
  hedge: ResolvedHedge | undefined;
  health: ResolvedHealth | undefined;
  circuit: ResolvedCircuit | undefined;
  localZone: string | undefined;
  subset: { readonly size: number; readonly clientId: number } | undefined;
  waitForEndpoints: boolean;
}
