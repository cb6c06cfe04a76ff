// Eureka's instance JSON (InstanceInfo as its Jackson codec writes it) → endpoint descriptions.
// Each instance is checked on its own: a bad one is rejected with a reason, never the whole answer.
import type { EndpointInit } from '../endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../endpoints/parse.js';
import { mapEach, parseRecord, shownPort } from '../discovery/support.js';
import type { EurekaSecurePort } from './options.js';

/** How instances are read. */
export interface InstanceSettings {
  readonly app: string;
  readonly secure: EurekaSecurePort;
  readonly useHostName: boolean;
  readonly vipAddress: string | undefined;
}

/** Metadata keys bulwark adds. */
export const META_INSTANCE_ID = 'eureka.instanceId';
export const META_APP = 'eureka.app';
export const META_HOST_NAME = 'eureka.hostName';
export const META_VIP = 'eureka.vipAddress';

/** A list Eureka may write as an array, as a single object (XStream-style JSON), or leave out. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null || value === '' ? [] : [value];
}

/** Eureka's id of an instance: `instanceId`, else (older servers) its `hostName`. */
export function instanceIdOf(instance: unknown): string | undefined {
  if (!isObject(instance)) return undefined;
  if (typeof instance.instanceId === 'string' && instance.instanceId !== '') return instance.instanceId;
  return typeof instance.hostName === 'string' && instance.hostName !== '' ? instance.hostName : undefined;
}

/** Maps an application's instances: `UP` ones on the chosen port; bad ones rejected with a reason. */
export function mapInstances(instances: readonly unknown[], settings: InstanceSettings): { endpoints: EndpointInit[]; rejected: { entry: unknown; reason: string }[] } {
  return mapEach(instances, (raw) => mapInstance(raw, settings), describeInstance, 'instance could not be read (nested too deeply?)');
}

function mapInstance(raw: unknown, s: InstanceSettings): EndpointInit | string | undefined {
  if (!isObject(raw)) return 'instance is not an object';
  if (typeof raw.status !== 'string') return 'instance has no "status"';
  if (raw.status !== 'UP') return undefined;
  const dc = isObject(raw.dataCenterInfo) ? raw.dataCenterInfo : {};
  // Only what is copied is checked: bulwark's size limit, and no __proto__/constructor/prototype keys.
  const record = parseRecord(JSON.stringify({ metadata: raw.metadata ?? {}, dcMeta: dc.metadata ?? {} }));
  if (typeof record === 'string') return record;
  if (!isObject(record.metadata) || !isObject(record.dcMeta)) return '"metadata" must be an object';
  const plain = port(raw.port, 'port');
  const secure = port(raw.securePort, 'securePort');
  if (typeof plain === 'string') return plain;
  if (typeof secure === 'string') return secure;
  const https = secure !== undefined && s.secure !== 'never' ? { protocol: 'https', port: secure, vip: raw.secureVipAddress } : undefined;
  const http = plain !== undefined && s.secure !== 'only' ? { protocol: 'http', port: plain, vip: raw.vipAddress } : undefined;
  if (https === undefined && http === undefined) return s.secure === 'prefer' ? 'instance has no enabled port' : undefined;
  // With a VIP filter, each port counts only under its own VIP: Eureka lists an instance under its
  // plain `vipAddress` whatever its secure port (getInstancesByVipAddress(vip, false)).
  const serves = (p: typeof https): p is NonNullable<typeof https> => p !== undefined && (s.vipAddress === undefined || servesVip(p.vip, s.vipAddress));
  const chosen = serves(https) ? https : serves(http) ? http : undefined;
  if (chosen === undefined) return undefined;
  const ip = typeof raw.ipAddr === 'string' ? raw.ipAddr : '';
  const name = typeof raw.hostName === 'string' ? raw.hostName : '';
  const host = s.useHostName ? name || ip : ip || name;
  if (host === '') return 'instance has neither "ipAddr" nor "hostName"';
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.metadata)) if (typeof v === 'string' && !k.startsWith('@')) metadata[k] = v;
  const id = instanceIdOf(raw);
  if (id !== undefined) metadata[META_INSTANCE_ID] = id;
  metadata[META_APP] = s.app;
  if (name !== '') metadata[META_HOST_NAME] = name;
  if (typeof chosen.vip === 'string') metadata[META_VIP] = chosen.vip;
  // Amazon data centres carry the zone; elsewhere Spring Cloud puts it in the metadata as "zone".
  const zone = stringOf(record.dcMeta['availability-zone']) ?? stringOf(record.metadata.zone);
  const init: EndpointInit = { protocol: chosen.protocol, host, port: chosen.port, metadata, ...(zone === undefined ? {} : { zone }) };
  try {
    parseEndpoint(init);
  } catch (err) {
    if (err instanceof EndpointParseError) return `${err.field === '.host' ? (s.useHostName ? 'hostName' : 'ipAddr') : err.field.slice(1)} ${err.expected}`;
    throw err;
  }
  return init;
}

/**
 * An instance's port: `{ "$": 8080, "@enabled": "true" }`, the number given as a number or a
 * decimal string. `undefined` when absent or disabled; a string says why it is invalid.
 */
function port(value: unknown, field: string): number | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return `"${field}" must be an object { "$": port, "@enabled": … }`;
  const enabled = value['@enabled'];
  if (enabled !== true && enabled !== 'true') return undefined;
  const raw = value.$;
  const n = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65_535) return `"${field}" must be an integer from 1 to 65535, got ${shownPort(n)}`;
  return n;
}

/** The fields that decide an instance's endpoint: what a refresh compares to skip unchanged answers. */
export function essentials(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const { instanceId, hostName, ipAddr, status, port, securePort, metadata, dataCenterInfo, vipAddress, secureVipAddress } = raw;
  return [instanceId, hostName, ipAddr, status, port, securePort, metadata, dataCenterInfo, vipAddress, secureVipAddress];
}

function describeInstance(raw: unknown): unknown {
  if (!isObject(raw)) return typeof raw;
  const p = isObject(raw.port) ? raw.port.$ : undefined;
  const sp = isObject(raw.securePort) ? raw.securePort.$ : undefined;
  return { instanceId: raw.instanceId, ipAddr: raw.ipAddr, hostName: raw.hostName, port: p, securePort: sp };
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Whether an instance's `vipAddress` (or `secureVipAddress`) names `wanted`: as Eureka maps
 * instances to VIPs (`Applications#addInstanceToMap`), a comma-separated list, case-insensitive.
 */
function servesVip(vip: unknown, wanted: string): boolean {
  if (typeof vip !== 'string') return false;
  const w = wanted.trim().toUpperCase();
  return vip.split(',').some((v) => v.trim().toUpperCase() === w);
}
