// The JSON a ZooKeeper service registry keeps in each instance's znode (docs/architecture.md,
// "Discovery adapters"): Curator service discovery's ServiceInstance, Finagle's serverset
// member, and bulwark's own record; read into endpoints, and written for self-registration.
import { tableKeys, type KeySet, type Table } from '../config/keys.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { recordToEndpoint } from '../discovery/support.js';

/** The record formats read and written: `'auto'` (reading only) tells them apart by their fields. */
export type ZookeeperFormat = 'auto' | 'curator' | 'serverset' | 'bulwark';

/** How a Curator instance with both `port` and `sslPort` is reached. */
export type CuratorTls = 'prefer' | 'never' | 'only';

/** Options that shape how records are read. */
export interface ReadOptions {
  readonly format: ZookeeperFormat;
  readonly protocol: string;
  readonly tls: CuratorTls;
  readonly endpointName: string | undefined;
}

/** An endpoint, a reason the record is unusable (reported), or `null`: a valid record of an instance that is not up (skipped quietly). */
export type ReadResult = EndpointInit | string | null;

/** Reads one parsed record in the configured format. */
export function readRecord(record: Record<string, unknown>, options: ReadOptions): ReadResult {
  const format = options.format === 'auto' ? detect(record) : options.format;
  switch (format) {
    case 'curator': return readCurator(record, options);
    case 'serverset': return readServerset(record, options);
    case 'bulwark': return recordToEndpoint(record);
    default: return 'record is in none of the formats read (Curator ServiceInstance, Finagle serverset, bulwark record)';
  }
}

/** Which format a record is in, by its fields: `serviceEndpoint` → serverset, `address` → Curator, `host` → bulwark. */
export function detect(record: Record<string, unknown>): Exclude<ZookeeperFormat, 'auto'> | undefined {
  if ('serviceEndpoint' in record) return 'serverset';
  if ('address' in record && ('port' in record || 'sslPort' in record)) return 'curator';
  if ('host' in record) return 'bulwark';
  return undefined;
}

const isPort = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535;
const present = (value: unknown): boolean => value !== undefined && value !== null;

/**
 * Curator's `ServiceInstance` (curator-x-discovery's JsonInstanceSerializer): `address`, and
 * `port` and/or `sslPort`; `enabled: false` is skipped as Curator's providers skip it. `id`,
 * `name` and `serviceType` and the string fields of `payload` (and of `payload.metadata`, as
 * Spring Cloud ZooKeeper writes it; Jackson's `@class` left out) become metadata. Spring Cloud
 * ZooKeeper's `payload.metadata.instance_status` other than `UP` (`OUT_OF_SERVICE`, set through
 * its service-registry endpoint) is skipped, as its own server list skips it; none is `UP`.
 */
function readCurator(record: Record<string, unknown>, options: ReadOptions): ReadResult {
  const { address, port, sslPort, enabled, payload } = record;
  if (typeof address !== 'string' || address === '') return 'Curator instance needs an "address" string';
  if (present(port) && !isPort(port)) return 'Curator instance "port" must be from 1 to 65535';
  if (present(sslPort) && !isPort(sslPort)) return 'Curator instance "sslPort" must be from 1 to 65535';
  const plain = isPort(port) ? port : undefined;
  const secure = isPort(sslPort) ? sslPort : undefined;
  if (plain === undefined && secure === undefined) return 'Curator instance needs a "port" or an "sslPort"';
  if (enabled === false || !springCloudUp(payload)) return null;
  let chosen: { port: number; protocol: string } | undefined;
  if (options.tls === 'only') chosen = secure === undefined ? undefined : { port: secure, protocol: 'https' };
  else if (options.tls === 'never') chosen = plain === undefined ? undefined : { port: plain, protocol: options.protocol };
  else chosen = secure !== undefined ? { port: secure, protocol: 'https' } : { port: plain!, protocol: options.protocol };
  if (chosen === undefined) return `Curator instance has no ${options.tls === 'only' ? '"sslPort"' : '"port"'} (tls: '${options.tls}')`;
  const metadata: Record<string, string> = {};
  copyStrings(payload, metadata);
  if (payload !== null && typeof payload === 'object') copyStrings((payload as Record<string, unknown>).metadata, metadata);
  for (const key of ['id', 'name', 'serviceType'] as const) {
    const value = record[key];
    if (typeof value === 'string') metadata[key] = value;
  }
  return { host: address, port: chosen.port, protocol: chosen.protocol, metadata };
}

/** Whether Spring Cloud ZooKeeper's `instance_status` (in `payload.metadata`) is absent, empty or `UP` (compared as Spring does, ignoring case). */
function springCloudUp(payload: unknown): boolean {
  if (payload === null || typeof payload !== 'object') return true;
  const metadata = (payload as Record<string, unknown>).metadata;
  if (metadata === null || typeof metadata !== 'object') return true;
  const status = (metadata as Record<string, unknown>).instance_status;
  return typeof status !== 'string' || status === '' || status.toUpperCase() === 'UP';
}

/**
 * Finagle's serverset member (com.twitter.common.zookeeper.ServerSet, as Aurora and Finagle's
 * `zk2!` resolver read it): only `status: "ALIVE"` is used; `endpointName` picks one of
 * `additionalEndpoints` instead of `serviceEndpoint`; `shard` becomes metadata.
 */
function readServerset(record: Record<string, unknown>, options: ReadOptions): ReadResult {
  const { serviceEndpoint, additionalEndpoints, status, shard } = record;
  if (typeof status !== 'string') return 'serverset member needs a "status" string';
  let target: unknown = serviceEndpoint;
  if (options.endpointName !== undefined) {
    if (additionalEndpoints === null || typeof additionalEndpoints !== 'object' || Array.isArray(additionalEndpoints)) return 'serverset member needs an "additionalEndpoints" object';
    target = Object.hasOwn(additionalEndpoints, options.endpointName) ? (additionalEndpoints as Record<string, unknown>)[options.endpointName] : undefined;
    if (target === undefined) return `serverset member has no additional endpoint ${JSON.stringify(options.endpointName)}`;
  }
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return 'serverset endpoint must be an object { host, port }';
  const { host, port } = target as Record<string, unknown>;
  if (typeof host !== 'string' || host === '') return 'serverset endpoint needs a "host" string';
  if (!isPort(port)) return 'serverset endpoint needs a "port" from 1 to 65535';
  if (status !== 'ALIVE') return null;
  const metadata: Record<string, string> = {};
  if (typeof shard === 'number' && Number.isInteger(shard)) metadata.shard = String(shard);
  return { host, port, protocol: options.protocol, metadata };
}

function copyStrings(source: unknown, into: Record<string, string>): void {
  if (typeof source === 'string') {
    into.payload = source;
    return;
  }
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return;
  for (const [key, value] of Object.entries(source)) if (typeof value === 'string' && !key.startsWith('@')) into[key] = value;
}

/** What a service registers: its address, and what its record format can carry. */
export interface ZookeeperInstance {
  /** Host name or IP address others reach this instance at. */
  readonly host: string;
  readonly port: number;
  /** `'http'` (default) or `'https'`; Curator records an `https` instance's port as `sslPort`. */
  readonly protocol?: string | undefined;
  /** bulwark records: relative weight, priority level, zone, metadata and base path. */
  readonly weight?: number | undefined;
  readonly priority?: number | undefined;
  readonly zone?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly basePath?: string | undefined;
  /** Curator: the service's name; default the last segment of `path`. */
  readonly name?: string | undefined;
  /** Curator: any JSON payload; default `null`. */
  readonly payload?: unknown;
  /** Serverset: the shard number. */
  readonly shard?: number | undefined;
  /** Serverset: named extra endpoints (`{ http: { host, port } }`). */
  readonly additionalEndpoints?: Readonly<Record<string, { readonly host: string; readonly port: number }>> | undefined;
}

/**
 * The keys of {@link ZookeeperInstance}. What they hold is written as given, not read for keys:
 * `metadata` (the user's map), `payload` (any JSON) and `additionalEndpoints` (named
 * `{ host, port }` entries copied into the serverset record).
 */
export const INSTANCE_KEYS: KeySet = tableKeys({
  host: true, port: true, protocol: true, weight: true, priority: true, zone: true, metadata: true, basePath: true,
  name: true, payload: true, shard: true, additionalEndpoints: true,
} satisfies Table<ZookeeperInstance>, 'an option of `instance`');

/** The JSON text that registers `instance` in `format`, with `id` (the node name) and registration time. */
export function writeRecord(instance: ZookeeperInstance, format: Exclude<ZookeeperFormat, 'auto'>, id: string, name: string, sequential: boolean, now: number): string {
  const secure = normalizeProtocol(instance.protocol) === 'https';
  if (format === 'curator') {
    return JSON.stringify({
      name: instance.name ?? name, id, address: instance.host,
      port: secure ? null : instance.port, sslPort: secure ? instance.port : null,
      payload: instance.payload ?? null, registrationTimeUTC: now,
      serviceType: sequential ? 'DYNAMIC_SEQUENTIAL' : 'DYNAMIC', uriSpec: null, enabled: true,
    });
  }
  if (format === 'serverset') {
    const record: Record<string, unknown> = {
      serviceEndpoint: { host: instance.host, port: instance.port },
      additionalEndpoints: instance.additionalEndpoints ?? {},
      status: 'ALIVE',
    };
    if (instance.shard !== undefined) record.shard = instance.shard;
    return JSON.stringify(record);
  }
  const { host, port, protocol, weight, priority, zone, metadata, basePath } = instance;
  return JSON.stringify({ host, port, protocol, weight, priority, zone, metadata, basePath });
}

function normalizeProtocol(protocol: string | undefined): string {
  return (protocol ?? 'http').replace(/:$/, '').toLowerCase();
}
