// bulwark/etcd (README, "etcd"): discovery, self-registration and live configuration with the
// user's own etcd3 client (an optional peer dependency, never bundled, never created here).
export { etcdDiscovery, ETCD_KEY_METADATA } from './discovery.js';
export type { EtcdDiscoveryOptions } from './discovery.js';
export { etcdRegistration, ETCD_DEFAULT_TTL } from './registration.js';
export type { EtcdRegistration, EtcdRegistrationOptions } from './registration.js';
export { etcdConfig } from './config.js';
export { EtcdError } from './errors.js';
export type { EtcdConfigOptions } from './config.js';
export type { EtcdEndpointInit } from './record.js';
export type { EtcdClient } from './follow.js';
export { ETCD_PAGE_SIZE } from './follow.js';
