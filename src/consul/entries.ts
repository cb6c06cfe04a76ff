// Consul's /v1/health/service/:service entries → endpoint descriptions (README, "Consul").
// Each entry is checked on its own: a bad one is rejected with a reason, never the whole answer.
import type { EndpointInit } from '../endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../endpoints/parse.js';
import { mapEach, parseRecord, shownPort } from '../discovery/support.js';

/** What mapping an answer gives: the endpoints, and the entries dropped with why. */
export interface MappedEntries {
  readonly endpoints: EndpointInit[];
  readonly rejected: { entry: unknown; reason: string }[];
}

/** How entries are read: the part of the options that matters here. */
export interface MapSettings {
  readonly passingOnly: boolean;
  readonly tags: readonly string[];
  readonly protocol: string;
  readonly zoneMetaKey: string;
}

/** Metadata keys bulwark adds; Consul's own Meta keys cannot hold a `.`, so these never collide. */
export const META_TAGS = 'consul.tags';
export const META_NODE = 'consul.node';
export const META_SERVICE_ID = 'consul.serviceId';
export const META_DATACENTER = 'consul.datacenter';
export const META_HEALTH = 'consul.health';

type Health = 'passing' | 'warning' | 'critical';

/**
 * Maps a health endpoint's entries. An entry is used when its aggregated health is passing (or
 * warning, unless `passingOnly`) and its tags include every wanted tag; its address is
 * `Service.Address`, or `Node.Address` when empty. Entries that are not the documented shape,
 * or whose address or port is invalid, are rejected.
 */
export function mapEntries(entries: readonly unknown[], settings: MapSettings): MappedEntries {
  return mapEach(entries, (raw) => mapEntry(raw, settings), describeEntry, 'entry could not be read (nested too deeply?)');
}

/** One entry: an endpoint, `undefined` when it is filtered out (health, tags), or why it is rejected. */
function mapEntry(raw: unknown, settings: MapSettings): EndpointInit | string | undefined {
  if (!isObject(raw)) return 'entry is not an object';
  const { Node: node, Service: service, Checks: checks } = raw;
  if (!isObject(node) || !isObject(service)) return 'entry needs "Node" and "Service" objects';
  if (checks !== undefined && checks !== null && !Array.isArray(checks)) return '"Checks" must be an array';
  // Only the fields used are read; parseRecord applies bulwark's size limit and refuses
  // __proto__/constructor/prototype keys in what gets copied (Meta) before anything is copied.
  const record = parseRecord(JSON.stringify({ tags: service.Tags ?? [], serviceMeta: service.Meta ?? {}, nodeMeta: node.Meta ?? {} }));
  if (typeof record === 'string') return record;
  const tags = record.tags;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) return '"Service.Tags" must be an array of strings';
  if (!isObject(record.serviceMeta) || !isObject(record.nodeMeta)) return '"Meta" must be an object';
  const health = aggregate(Array.isArray(checks) ? checks : []);
  if (typeof health !== 'string' || health === 'critical' || (health === 'warning' && settings.passingOnly)) return typeof health === 'object' ? health.reason : undefined;
  const wanted = settings.tags.map((t) => t.toLowerCase());
  const lower = (tags as string[]).map((t) => t.toLowerCase());
  if (!wanted.every((t) => lower.includes(t))) return undefined;
  const weight = weightOf(service.Weights, health);
  if (typeof weight === 'string') return weight;
  if (weight === 0) return undefined; // Consul's "send no traffic while warning"
  const address = typeof service.Address === 'string' && service.Address !== '' ? service.Address : node.Address;
  if (typeof address !== 'string' || address === '') return 'entry has no address (Service.Address and Node.Address are empty)';
  const port = service.Port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) return `"Service.Port" must be an integer from 1 to 65535, got ${shownPort(port)}`;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.serviceMeta)) if (typeof v === 'string') metadata[k] = v;
  metadata[META_TAGS] = (tags as string[]).join(',');
  metadata[META_HEALTH] = health;
  if (typeof node.Node === 'string') metadata[META_NODE] = node.Node;
  if (typeof service.ID === 'string') metadata[META_SERVICE_ID] = service.ID;
  if (typeof node.Datacenter === 'string') metadata[META_DATACENTER] = node.Datacenter;
  const zone = stringAt(record.serviceMeta, settings.zoneMetaKey) ?? stringAt(record.nodeMeta, settings.zoneMetaKey);
  const init: EndpointInit = { protocol: settings.protocol, host: address, port, weight, metadata, ...(zone === undefined ? {} : { zone }) };
  try {
    parseEndpoint(init);
  } catch (err) {
    if (err instanceof EndpointParseError) return `${err.field === '.host' ? 'address' : err.field.slice(1)} ${err.expected}`;
    throw err;
  }
  return init;
}

/** The worst status of an entry's checks (node and service), as Consul aggregates it. */
function aggregate(checks: readonly unknown[]): Health | { reason: string } {
  let worst: Health = 'passing';
  for (const check of checks) {
    if (!isObject(check) || typeof check.Status !== 'string') return { reason: 'a check has no "Status"' };
    const s = check.Status;
    // Consul's statuses: passing, warning, critical; maintenance shows as a critical check.
    if (s === 'critical' || s === 'maintenance') return 'critical';
    if (s === 'warning') worst = 'warning';
    else if (s !== 'passing') return { reason: `a check has the unknown status ${JSON.stringify(s.slice(0, 20))}` };
  }
  return worst;
}

/** The weight for an instance in `health`: `Weights.Passing` or `Weights.Warning`, 1 when Consul sent none (before 1.2.3). */
function weightOf(weights: unknown, health: Health): number | string {
  if (weights === undefined || weights === null) return 1;
  if (!isObject(weights)) return '"Service.Weights" must be an object';
  const w = health === 'warning' ? weights.Warning : weights.Passing;
  if (w === undefined) return 1;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) return `"Service.Weights.${health === 'warning' ? 'Warning' : 'Passing'}" must be an integer ≥ 0`;
  return w === 0 && health === 'passing' ? '"Service.Weights.Passing" must be ≥ 1' : w;
}

/** A short, secret-free description of an entry for `endpointRejected`: node, service id, address and port. */
function describeEntry(raw: unknown): unknown {
  if (!isObject(raw)) return typeof raw;
  const node = isObject(raw.Node) ? raw.Node : {};
  const service = isObject(raw.Service) ? raw.Service : {};
  return { node: node.Node, id: service.ID, address: service.Address || node.Address, port: service.Port };
}

function stringAt(meta: Record<string, unknown>, key: string): string | undefined {
  const v = Object.hasOwn(meta, key) ? meta[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
