import type { IBreaker } from 'cockatiel';
import type { FetchOption } from './fetch-function.js';
import type { Clock } from '../call/clock.js';
import type { Discovery } from '../discovery/discovery.js';
import type { Endpoint, EndpointInit } from '../endpoints/endpoint.js';
import type { Picker } from '../pickers/picker.js';
import type { RetryBudgetOptions } from '../pipeline/budget.js';

/** Deadlines in milliseconds. */
export interface TimeoutOptions {
  /** One attempt at one endpoint. Default 10 000 (opossum's default `timeout` for one run of the action). */
  attempt?: number | undefined;
  /** The whole call, retries, hedges and backoff included. Default 30 000. */
  total?: number | undefined;
}

/** How failed attempts are retried; `retry: false` sends each call once. */
export interface RetryOptions {
  /** Attempts in all, the first included; hedges count too. Default 3 (Google SRE book, "Handling Overload"). */
  attempts?: number | undefined;
  /** The retry budget, or `false` for none. Default `{ ratio: 0.2, minPerSecond: 10, window: 10_000 }` (Finagle). */
  budget?: RetryBudgetOptions | false | undefined;
  /** Exponential backoff with decorrelated jitter. Default `{ base: 25, cap: 250 }` ms (Envoy). */
  backoff?: { base?: number | undefined; cap?: number | undefined } | undefined;
  /** HTTP statuses `fetch` retries for idempotent requests. Default `[429, 502, 503, 504]` (Envoy `retry_on: 5xx-gateway, retriable-4xx`). */
  statusCodes?: readonly number[] | undefined;
}

/** A percentile of recent attempt latency, such as `'p95'` or `'p99.9'`. */
export type Percentile = `p${number}`;

/**
 * Hedging ("The Tail at Scale"; Finagle backup requests): when an idempotent call's attempt
 * has not answered after `delay`, one more attempt goes to an untried endpoint and the first
 * final answer (a success, or a failure that is not retried) wins; the others are aborted. A
 * failure worth retrying while another attempt runs sends the next hedge at once (gRPC A6).
 */
export interface HedgeOptions {
  /** How long the first attempt may take before a hedge is sent: ms, or a percentile of recent successful attempt latency (`'p95'`). Required. */
  delay: number | Percentile;
  /** Hedges allowed as a share of calls over a 10 s window. Default 0.05 ("The Tail at Scale": ~5 % extra load). */
  maxExtraLoad?: number | undefined;
}

/**
 * Passive endpoint health (Envoy outlier detection, Finagle failure accrual): each endpoint has
 * a breaker fed by its attempts' outcomes; when it opens, the endpoint is ejected — no picker
 * sees it — until its ejection time is over, then probed with real calls and re-admitted on a
 * success.
 */
export interface HealthOptions {
  /** Makes each endpoint's breaker (cockatiel's `IBreaker`). Default `() => new ConsecutiveBreaker(5)` (Envoy `consecutive_5xx: 5`). */
  breaker?: (() => IBreaker) | undefined;
  /** First ejection, ms; the n-th lasts n times as long. Default 30 000 (Envoy `base_ejection_time`). */
  ejectionTime?: number | undefined;
  /** Longest ejection, ms. Default 300 000 (Envoy `max_ejection_time`). */
  maxEjectionTime?: number | undefined;
  /** Most endpoints ejected at once, % of the set (at least one). Default 10 (Envoy `max_ejection_percent`). */
  maxEjectionPercent?: number | undefined;
  /** Below this % of endpoints taking calls, calls go to all endpoints (panic). Default 50 (Envoy `healthy_panic_threshold`). */
  panicThreshold?: number | undefined;
  /** Probe calls in flight at once on an endpoint whose ejection is over. Default 1 (Finagle failure accrual's single probe request). */
  probes?: number | undefined;
  /** Active health checks, or `false`. Default `false` (off). */
  checks?: HealthCheckOptions | false | undefined;
  /** Ramp new and re-admitted endpoints up, or `false`. Default `false` (off). */
  slowStart?: SlowStartOptions | false | undefined;
  /** Outlier detection against the other endpoints, or `false`. Default `false` (off). */
  outliers?: OutlierOptions | false | undefined;
  /** A priority level (or the local zone) takes calls up to its healthy share × this. Default 1.4 (Envoy's overprovisioning factor). */
  overprovisioning?: number | undefined;
  /**
   * Whether an attempt's outcome counts against its endpoint's health. Default: every verdict
   * but `'success'` — for `fetch`, connection errors, timeouts, 5xx and 429 (other 4xx are
   * successes); for `execute`, thrown errors and timeouts, or what `classify` says.
   */
  isFailure?: ((outcome: HealthOutcome) => boolean) | undefined;
}

/** What `health.isFailure` is asked about: one finished attempt. */
export interface HealthOutcome {
  readonly endpoint: Endpoint;
  readonly verdict: 'success' | 'failure' | 'retry';
  /** `status 503`, `connection refused`, `attempt timeout`, … */
  readonly reason: string;
  /** HTTP status, for fetch attempts that got a response. */
  readonly status: number | undefined;
  /** What went wrong, for attempts without a value. */
  readonly error: unknown;
}

/**
 * Outlier detection (Envoy semantics): every `interval`, endpoints are compared with each
 * other on the attempts they served in it; one far worse than its peers is ejected even when
 * it does not fail every call (which its breaker would catch).
 */
export interface OutlierOptions {
  /** How often endpoints are compared, ms. Default 10 000 (Envoy `interval`). */
  interval?: number | undefined;
  /** Success-rate detection: eject below mean − stdevFactor × stdev. Default on (within `outliers`). */
  successRate?: { stdevFactor?: number | undefined; minimumHosts?: number | undefined; requestVolume?: number | undefined } | false | undefined;
  /** Failure-percentage detection: eject at or above `threshold` % failures. Default off. */
  failurePercentage?: { threshold?: number | undefined; minimumHosts?: number | undefined; requestVolume?: number | undefined } | false | undefined;
}

/**
 * Slow start (Envoy's): an endpoint added after the first set, or re-admitted after an
 * ejection, gets `max(minWeightPercent, (t / window)^(1 / aggression))` of its usual share of
 * calls for `window` ms, whatever the picker.
 */
export interface SlowStartOptions {
  /** How long the ramp lasts, ms. Required. */
  window: number;
  /** Curve of the ramp: 1 is linear, higher ramps faster early on. Default 1 (Envoy). */
  aggression?: number | undefined;
  /** The share an endpoint starts with, %. Default 10 (Envoy `min_weight_percent`). */
  minWeightPercent?: number | undefined;
}

/**
 * Active health checks: each endpoint is checked on an interval (with jitter), whether or not
 * it gets calls. Enough failed checks eject it; once checks are on, an endpoint whose ejection
 * is over is re-admitted only by passing checks (not by probing with real calls).
 */
export interface HealthCheckOptions {
  /** The check: resolve `true` when healthy. Default for http(s) endpoints: `GET path`, healthy on 2xx/3xx (endpoints of other schemes are not checked). */
  check?: ((endpoint: Endpoint, context: { readonly signal: AbortSignal }) => Promise<boolean> | boolean) | undefined;
  /** Path of the default HTTP check. Default `'/health'` (a common convention; Envoy and Kubernetes have no default path). */
  path?: string | undefined;
  /** Time between checks of one endpoint, ms. Default 10 000 (Kubernetes `periodSeconds: 10`). */
  interval?: number | undefined;
  /** Spread of the interval, as a fraction (0.1: ±10 %), so clients do not check in step. Default 0.1 (ours: Envoy's `interval_jitter_percent` defaults to 0). */
  jitter?: number | undefined;
  /** A check that takes longer fails, ms. Default 1 000 (Kubernetes `timeoutSeconds: 1`). */
  timeout?: number | undefined;
  /** Failed checks in a row that eject an endpoint. Default 3 (Kubernetes `failureThreshold`). */
  unhealthyThreshold?: number | undefined;
  /** Passed checks in a row that re-admit one. Default 2 (Envoy's usual `healthy_threshold`). */
  healthyThreshold?: number | undefined;
}

/**
 * A service-level circuit breaker around every call: while the service as a whole is failing
 * (calls' final outcomes, after retries), calls fail at once with `CircuitOpenError`.
 */
export interface CircuitBreakerOptions {
  /** Decides when to open, from calls' outcomes. Default: more than half the calls failing over the last 10 s, once that window holds at least 50 calls (5 a second; fewer never open it) (the rule of cockatiel's `SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 })`, on the client's clock, forgetting calls older than the window). */
  breaker?: (() => IBreaker) | undefined;
  /** How long the circuit stays open before one trial call may go through, ms. Default 10 000 (cockatiel's examples). */
  halfOpenAfter?: number | undefined;
}

/** Options of one call, given to `fetch` (in `init`) or `execute`. */
export interface CallOptions {
  /** Cancels the call: it rejects at once with `signal.reason`, and the attempts in flight are aborted. */
  signal?: AbortSignal | null | undefined;
  /** Overrides the client's deadlines for this call. */
  timeout?: TimeoutOptions | undefined;
  /** Whether the call may be sent twice. Default: by HTTP method for `fetch`, `true` for `execute`. */
  idempotent?: boolean | undefined;
  /** Hash key for `ringHash` (e.g. a user id): the same key goes to the same endpoint. Numbers are hashed as their decimal string. */
  key?: string | number | undefined;
  /** Hedging for this call: `false` turns it off, an object replaces the client's `hedge` (a `maxExtraLoad` left out is the client's, 0.05 when it has none). Default: the client's. */
  hedge?: HedgeOptions | false | undefined;
}

/** Decides what an outcome means; `undefined` leaves it to the transport's default rules. */
export type Classify<T> = (outcome: Outcome<T>, endpoint: Endpoint) => Verdict | undefined;

/** Options of `createClient`. */
export interface ClientOptions {
  /** The service's name; it appears in events, errors and `stats()`. Required. */
  name: string;
  /** Where endpoints come from: a `Discovery`, or an array as shorthand for `staticDiscovery(array)`. Required. */
  discovery: Discovery | readonly EndpointInit[];
  /** The load balancer. Default `peakEwma()` (Finagle p2cPeakEwma). */
  picker?: Picker | undefined;
  /** Deadlines. Default `{ attempt: 10_000, total: 30_000 }`. */
  timeout?: TimeoutOptions | undefined;
  /** Retries, or `false` to send each call once. Default `{ attempts: 3, budget: { ratio: 0.2, minPerSecond: 10 } }`. */
  retry?: RetryOptions | false | undefined;
  /** Hedging of idempotent calls, or `false`. Default `false` (off). */
  hedge?: HedgeOptions | false | undefined;
  /** Passive endpoint health, or `false` to send to every endpoint whatever its outcomes. Default on. */
  health?: HealthOptions | false | undefined;
  /**
   * This client's zone: within each priority, endpoints in it are preferred while enough of
   * them are healthy (× `health.overprovisioning`), and calls spill to other zones as they fail.
   * Default: none (zones are ignored).
   */
  localZone?: string | undefined;
  /**
   * Deterministic subsetting: this client uses only `size` of the endpoints, chosen so that
   * clients numbered 0, 1, 2, … spread evenly over all of them. Default: none (every endpoint).
   */
  subset?: { size: number; clientId: number } | undefined;
  /** A service-level circuit breaker, or `false`. Default `false` (off). */
  circuitBreaker?: CircuitBreakerOptions | false | undefined;
  /**
   * Whether calls wait for a first endpoint set after discovery reported an error (up to their
   * deadline). Default `false`: they fail at once with `NoEndpointsError` carrying the error,
   * as gRPC fails calls while its resolver is failing (unless `waitForReady`).
   */
  waitForEndpoints?: boolean | undefined;
  /** The fetch used by `client.fetch` (Node's, undici's own, or a wrapper of yours: see {@link FetchOption}). Default `globalThis.fetch`. */
  fetch?: FetchOption | undefined;
  /** Time source for deadlines, backoff and hedging. Default `performance.now()` and Node's timers; pass a fake one in tests. */
  clock?: Clock | undefined;
}

/** The outcome a classifier sees. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * What an outcome means: `'success'` (the endpoint did its job; the value is returned or the
 * error rethrown as is), `'failure'` (the endpoint failed; no retry), `'retry'` (the endpoint
 * failed; try another when attempts, budget and deadline allow).
 */
export type Verdict = 'success' | 'failure' | 'retry';

/** What `execute` passes to the function it runs. */
export interface AttemptContext {
  /** Aborted when the attempt times out, loses a hedge race, the caller aborts, or the client closes. Created on first read. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the next (a retry or a hedge), … */
  readonly attempt: number;
}

/** Options of `execute`. */
export interface ExecuteOptions<T> extends CallOptions {
  /**
   * Decides what an outcome means, attempt timeouts included (`{ ok: false, error: TimeoutError }`);
   * returning `undefined` keeps the default: a value succeeds, an error is retried.
   */
  classify?: Classify<T> | undefined;
}
