// Registry records (docs/architecture.md, "Discovery adapters"): reading the JSON records
// registries hold without letting a hostile one through, and bulwark's endpoint record format.
import type { EndpointInit } from '../endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../endpoints/parse.js';
import { typeShown } from '../redact.js';

/** Largest registry record read, in bytes (UTF-8 length of its text); bigger ones are dropped. */
export const MAX_RECORD_BYTES: number = 64 * 1024;

/** Deepest nesting of objects and arrays read in a registry record (the record itself is level 1); deeper ones are dropped. */
export const MAX_RECORD_DEPTH: number = 100;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a registry record's JSON text, or returns why it cannot be used: too large, not
 * JSON, nested more than {@link MAX_RECORD_DEPTH} levels deep, not an object, or holding a
 * `__proto__`/`constructor`/`prototype` key anywhere.
 *
 * @example
 * const r = parseRecord(value); if (typeof r === 'string') rejected(key, r);
 */
export function parseRecord(text: string | Uint8Array, maxBytes: number = MAX_RECORD_BYTES): Record<string, unknown> | string {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > maxBytes) return `record is ${size} bytes, over the ${maxBytes}-byte limit`;
  const source = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    // No reviver: V8 runs one recursively, and a valid record nested some thousands of levels
    // deep overflowed the stack, which read as "not JSON". The walk below checks keys instead.
    parsed = JSON.parse(source);
  } catch {
    return 'record is not JSON';
  }
  const problem = shapeProblem(parsed);
  if (problem !== undefined) return problem;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'record must be a JSON object';
  return parsed as Record<string, unknown>;
}

/**
 * Why a parsed record cannot be used whatever its fields: it nests too deeply, or holds a
 * forbidden key at any level (JSON.parse makes `"__proto__"` an own key, seen here). Walked with
 * a stack of its own, not by recursion, so that no depth of nesting overflows the call stack.
 */
function shapeProblem(root: unknown): string | undefined {
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_RECORD_DEPTH) return `record is nested too deeply (objects and arrays more than ${MAX_RECORD_DEPTH} levels deep)`;
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `record holds a forbidden key ${JSON.stringify(key)}`;
      values.push((value as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return undefined;
}

/**
 * Reads bulwark's endpoint record format — `{ host, port, protocol?, weight?, priority?, zone?,
 * metadata?, basePath? }` — into an endpoint description, or returns why it cannot. Only
 * those fields are copied; `metadata` keeps string values only. Adapters then check the
 * result as an endpoint ({@link endpointProblem}), so that a rejection names the record.
 *
 * @example
 * recordToEndpoint({ host: '10.0.0.1', port: 8080, zone: 'eu-1' }); // { host: '10.0.0.1', port: 8080, zone: 'eu-1' }
 */
export function recordToEndpoint(record: Record<string, unknown>): EndpointInit | string {
  const { host, port, protocol, weight, priority, zone, metadata, basePath } = record;
  if (typeof host !== 'string' || host === '') return 'record needs a "host" string';
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) return 'record needs a "port" from 1 to 65535';
  const init: { -readonly [K in keyof Exclude<EndpointInit, string>]: Exclude<EndpointInit, string>[K] } = { host, port };
  if (protocol !== undefined) {
    if (typeof protocol !== 'string') return '"protocol" must be a string';
    init.protocol = protocol;
  }
  if (weight !== undefined) {
    if (typeof weight !== 'number') return '"weight" must be a number';
    init.weight = weight;
  }
  if (priority !== undefined) {
    if (typeof priority !== 'number') return '"priority" must be a number';
    init.priority = priority;
  }
  if (zone !== undefined) {
    if (typeof zone !== 'string') return '"zone" must be a string';
    init.zone = zone;
  }
  if (basePath !== undefined) {
    if (typeof basePath !== 'string') return '"basePath" must be a string';
    init.basePath = basePath;
  }
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return '"metadata" must be an object of strings';
    const copy: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) if (typeof v === 'string') copy[k] = v;
    init.metadata = copy;
  }
  return init;
}

/**
 * Why an endpoint description read from a registry record is not a valid endpoint (`record's
 * "weight" must be a finite number > 0`), or `undefined` when it is: checked where the record
 * is read, so that the rejection names the record (its key or node), never its contents.
 *
 * @example
 * const problem = endpointProblem(init); if (problem !== undefined) rejected(key, problem);
 */
export function endpointProblem(init: EndpointInit): string | undefined {
  try {
    parseEndpoint(init);
    return undefined;
  } catch (err) {
    if (err instanceof EndpointParseError) return `record's "${err.field.replace(/^\./, '')}" ${err.expected}`;
    return 'record is not a valid endpoint';
  }
}

/**
 * A registry record's invalid port as a rejection reason may show it: a number as it is, any
 * other value by its type only ({@link typeShown}). A record is the registry's data, not ours: a
 * string there may be a URL with credentials, or megabytes long.
 *
 * @example
 * return `"Service.Port" must be an integer from 1 to 65535, got ${shownPort(port)}`; // got a string
 */
export function shownPort(value: unknown): string {
  return value === undefined ? 'nothing' : typeShown(value);
}
