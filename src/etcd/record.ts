// bulwark's JSON endpoint record as etcdRegistration writes it: what etcdDiscovery (and every
// adapter using recordToEndpoint) reads back.
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { parseRecord } from '../discovery/support.js';
import { EndpointParseError, parseEndpoint, type ParsedEndpoint } from '../endpoints/parse.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { ConfigError } from '../errors.js';

/** An instance to register: a record `{ host, port, … }`, or a URL such as `'http://10.0.0.1:8080/api'` (an endpoint as discovery describes one). */
export type EtcdEndpointInit = EndpointInit;

/** The keys of an endpoint given as a record; its `metadata` is the user's map, written as it is. */
const ENDPOINT_KEYS = tableKeys({
  host: true, port: true, protocol: true, weight: true, priority: true, zone: true, metadata: true, basePath: true,
} satisfies Table<Exclude<EtcdEndpointInit, string>>, 'an option of `endpoint`');

/**
 * Validates `endpoint` and returns its JSON record text (defaults left out) and its parsed
 * form; a ConfigError names what is wrong. Credentials are refused: they would be published
 * to everyone who can read the prefix. A record's key that is no endpoint field (`wieght`) is
 * refused too, naming `path.key` and a near field.
 */
export function toRecordText(service: string, path: string, endpoint: unknown): { text: string; parsed: ParsedEndpoint } {
  if (endpoint !== null && typeof endpoint === 'object' && !Array.isArray(endpoint)) checkKeys(service, endpoint, `${path}.`, ENDPOINT_KEYS);
  let parsed: ParsedEndpoint;
  try {
    parsed = parseEndpoint(endpoint as EtcdEndpointInit);
  } catch (err) {
    if (err instanceof EndpointParseError) throw new ConfigError(service, `${path}${err.field}`, err.expected, err.field === '' ? endpoint : err.value);
    throw err;
  }
  if (parsed.authorization !== undefined) throw new ConfigError(service, path, 'must not hold credentials (they would be readable by everyone who reads the prefix)', endpoint);
  const record: Record<string, unknown> = { host: parsed.host, port: parsed.port };
  if (parsed.protocol !== 'http:') record.protocol = parsed.protocol.slice(0, -1);
  if (parsed.weight !== 1) record.weight = parsed.weight;
  if (parsed.priority !== 0) record.priority = parsed.priority;
  if (parsed.zone !== undefined) record.zone = parsed.zone;
  if (Object.keys(parsed.metadata).length > 0) record.metadata = parsed.metadata;
  if (parsed.basePath !== '') record.basePath = parsed.basePath;
  const text = JSON.stringify(record);
  // What discovery would refuse (too large, a __proto__ metadata key) is refused here.
  const check = parseRecord(text);
  if (typeof check === 'string') throw new ConfigError(service, path, `cannot be registered: ${check}`, `${text.slice(0, 64)}…`);
  return { text, parsed };
}

/** `host:port` (IPv6 in brackets), the default last segment of a registration's key. */
export function endpointKey(parsed: ParsedEndpoint): string {
  return parsed.host.includes(':') ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}`;
}
