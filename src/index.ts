// The public API of bulwark, listed explicitly (docs/architecture.md, "Layout"): anything not here is internal.

export { createClient, Client } from './client.js';
export type {
  ClientOptions, CallOptions, ExecuteOptions, TimeoutOptions, RetryOptions, HedgeOptions, HealthOptions, HealthOutcome, HealthCheckOptions, SlowStartOptions, OutlierOptions, CircuitBreakerOptions, Percentile, AttemptContext, Outcome, Verdict, Classify,
} from './config/options.js';
export type { FetchFunction, FetchInit, FetchOption, FetchedResponse } from './config/fetch-function.js';
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
export { BulwarkError, NoEndpointsError, TimeoutError, ClientClosedError, ConfigError, PluginError, RequestFailedError, CircuitOpenError, DiscoveryError } from './errors.js';
export type { TimeoutScope, PluginKind, AttemptSummary } from './errors.js';
export type { Endpoint, EndpointInit } from './endpoints/endpoint.js';
export type { Discovery } from './discovery/discovery.js';
export { stopWatching, type StopHandle } from './discovery/stop-of.js';
export type { SourceBackoff } from './discovery/support.js';
export { staticDiscovery, StaticDiscovery } from './discovery/static.js';
export { dnsDiscovery, DnsDiscovery, DnsError, DnsNoRecordsError, type DnsDiscoveryOptions, type DnsNameOptions, type DnsSrvOptions, type DnsCommonOptions } from './discovery/dns.js';
export type { Picker, PickRequest, RandomSource } from './pickers/picker.js';
export { roundRobin, random, weightedRoundRobin, leastRequest, peakEwma, ringHash } from './pickers/index.js';
export type { RoundRobinOptions, RandomOptions, WeightedRoundRobinOptions, LeastRequestOptions, PeakEwmaOptions, RingHashOptions } from './pickers/index.js';

// Both are interfaces declared beside their internal classes and used by the rest of the API,
// so they are types only and a user's declaration files can name them through this entry.
// Re-exporting the classes as types bundled them into index.d.ts as value exports; interfaces
// declared here, over classes the rest of the API still named, left inferred types unnameable
// from a user's declarations (TS2883).
export type { EndpointState } from './endpoints/endpoint.js';
export type { PeakEwma } from './observe/latency.js';
// What `health.breaker` and `circuitBreaker.breaker` return, and what a breaker of the user's
// implements (its methods get a CircuitState), with cockatiel's breakers that README offers for
// them (`health.breaker: () => new ConsecutiveBreaker(3)`): named through bulwark, so that a
// user's code and declarations need no cockatiel of their own.
export type { IBreaker } from 'cockatiel';
export { CircuitState, ConsecutiveBreaker, SamplingBreaker, CountBreaker } from 'cockatiel';
