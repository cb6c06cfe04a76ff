// The public API of bulwark, listed explicitly (docs/architecture.md, "Layout"): anything not here is internal.
import type { EndpointState as EndpointStateClass } from './endpoints/endpoint.js';
import type { PeakEwma as PeakEwmaClass } from './observe/latency.js';

export { createClient, Client } from './client.js';
export type {
  ClientOptions, CallOptions, ExecuteOptions, TimeoutOptions, RetryOptions, HedgeOptions, HealthOptions, HealthOutcome, HealthCheckOptions, SlowStartOptions, OutlierOptions, CircuitBreakerOptions, Percentile, AttemptContext, Outcome, Verdict, Classify,
} from './config/options.js';
export { DEFAULTS } from './config/resolve.js';
export type { LiveOptions, LiveHealthKey, ConfigSource } from './config/live.js';
export type { Clock, Timer } from './call/clock.js';
export type { BulwarkRequestInit } from './transports/fetch-args.js';
export type { AttemptFn } from './transports/execute.js';
export type { RetryBudgetOptions } from './pipeline/budget.js';
export type { ClientStats, EndpointStats, EndpointHealthStats } from './observe/stats.js';
export type {
  ClientEvents, EndpointsEvent, AttemptEvent, RetryEvent, HedgeEvent, HealthEvent, PanicEvent, CircuitEvent, BudgetExhaustedEvent, DiscoveryErrorEvent, EndpointRejectedEvent, ConfigChangedEvent, ConfigRejectedEvent,
} from './observe/events.js';
export { BulwarkError, NoEndpointsError, TimeoutError, ClientClosedError, ConfigError, PluginError, RequestFailedError, CircuitOpenError } from './errors.js';
export type { TimeoutScope, PluginKind, AttemptSummary } from './errors.js';
export type { Endpoint, EndpointInit } from './endpoints/endpoint.js';
export type { Discovery } from './discovery/discovery.js';
export type { SourceBackoff } from './discovery/support.js';
export { staticDiscovery, StaticDiscovery } from './discovery/static.js';
export { dnsDiscovery, DnsDiscovery, DnsNoRecordsError, type DnsDiscoveryOptions, type DnsNameOptions, type DnsSrvOptions, type DnsCommonOptions } from './discovery/dns.js';
export type { Picker, PickRequest, RandomSource } from './pickers/picker.js';
export { roundRobin, random, weightedRoundRobin, leastRequest, peakEwma, ringHash } from './pickers/index.js';
export type { RoundRobinOptions, RandomOptions, WeightedRoundRobinOptions, LeastRequestOptions, PeakEwmaOptions, RingHashOptions } from './pickers/index.js';

/**
 * An endpoint as pickers see it: the {@link Endpoint} fields plus its live `inflight`,
 * `successes`, `failures`, `cancelled` and `latency`. A type only: endpoints are made by the
 * client, never by users (so it is declared as an interface, not exported as a class).
 *
 * @example
 * const byLoad = (a: EndpointState, b: EndpointState) => a.inflight - b.inflight;
 */
export interface EndpointState extends EndpointStateClass {}

/**
 * An endpoint's peak-EWMA latency estimate (`endpoint.latency`); read it with `estimate(now)`,
 * compare two with `lowerThan`.
 *
 * @example
 * const ms = endpoint.latency.estimate(performance.now());
 * const cheaper = b.latency.lowerThan(b.inflight + 1, a.latency, a.inflight + 1, now) ? b : a;
 */
export interface PeakEwma extends PeakEwmaClass {}
