// bulwark/zookeeper: discovery from, and self-registration in, ZooKeeper (docs/architecture.md,
// "Discovery adapters"). node-zookeeper-client is the user's own install (an optional peer):
// nothing here imports it; the user passes a client, or a function that makes clients.
export { zookeeperDiscovery } from './discovery.js';
export { zookeeperRegistration } from './registration.js';
export type { ZookeeperRegistration } from './registration.js';
export type { ZookeeperDiscoveryOptions, ZookeeperRegistrationOptions } from './options.js';
export type { ZookeeperFormat, CuratorTls, ZookeeperInstance } from './formats.js';
export type { ZookeeperClientOption } from './session.js';
export type { ZookeeperClient, ZookeeperStat, ZookeeperEvent } from './client.js';
export { ZookeeperError } from './client.js';
export type { SourceBackoff } from '../discovery/support.js';
