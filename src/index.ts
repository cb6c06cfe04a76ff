// The public API of bulwark, listed explicitly (design.md §1): anything not here is internal.
export { createClient, Client } from './client.js';
export type { ClientOptions, CallOptions, ExecuteOptions, TimeoutOptions, RetryOptions, AttemptContext, Outcome, Verdict } from './config/options.js';
export { DEFAULTS } from './config/options.js';
export type { BulwarkRequestInit } from './transports/fetch.js';
export type { AttemptFn } from './transports/execute.js';
export type { RetryBudgetOptions } from './pipeline/budget.js';
export type { ClientStats, EndpointStats } from './observe/stats.js';
export type {
  ClientEvents, EndpointsEvent, AttemptEvent, RetryEvent, BudgetExhaustedEvent, DiscoveryErrorEvent, EndpointRejectedEvent,
} from './observe/events.js';
export { BulwarkError, NoEndpointsError, TimeoutError, ClientClosedError, ConfigError } from './errors.js';
export type { TimeoutScope } from './errors.js';
export type { Endpoint, EndpointInit } from './endpoints/endpoint.js';
export type { EndpointState } from './endpoints/endpoint.js';
export type { PeakEwma } from './observe/latency.js';
export type { Discovery } from './discovery/discovery.js';
export { staticDiscovery, StaticDiscovery } from './discovery/static.js';
export type { Picker, PickRequest, RandomSource } from './pickers/picker.js';
export { roundRobin, random, weightedRoundRobin, leastRequest, peakEwma, ringHash } from './pickers/index.js';
export type { RoundRobinOptions, RandomOptions, WeightedRoundRobinOptions, LeastRequestOptions, PeakEwmaOptions, RingHashOptions } from './pickers/index.js';
