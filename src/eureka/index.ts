// bulwark/eureka: discovery from, and registration with, Eureka's REST API (README, "Eureka").
export { eurekaDiscovery } from './discovery.js';
export { eurekaRegistration } from './registration.js';
export type { EurekaRegistration } from './registration.js';
export { EurekaError } from './errors.js';
export { EUREKA_DEFAULTS } from './options.js';
export type { EurekaDiscoveryOptions, EurekaRegistrationOptions, EurekaInstance, EurekaConnection, EurekaSecurePort } from './options.js';
export type { SourceBackoff } from '../discovery/support.js';
export type { FetchFn, FetchFnInit, FetchFnOption, FetchFnResponse } from '../discovery/http-source.js';
