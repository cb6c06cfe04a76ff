// bulwark/consul: discovery from Consul's HTTP API (README, "Consul").
export { consulDiscovery, ConsulError } from './discovery.js';
export { CONSUL_DEFAULTS } from './options.js';
export type { ConsulDiscoveryOptions } from './options.js';
export type { SourceBackoff } from '../discovery/support.js';
export type { FetchFn, FetchFnInit, FetchFnOption, FetchFnResponse } from '../discovery/http-source.js';
