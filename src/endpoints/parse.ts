import type { EndpointInit } from './endpoint.js';

/** The validated, normalised form of an {@link EndpointInit}. */
export interface ParsedEndpoint {
  id: string;
  protocol: 'http:' | 'https:';
  host: string;
  port: number;
  basePath: string;
  weight: number;
  priority: number;
  zone: string | undefined;
  metadata: Readonly<Record<string, string>>;
  authorization: string | undefined;
}

/** Why an endpoint description was rejected: what was wrong, with the offending field. */
export class EndpointParseError extends Error {
  readonly field: string;
  readonly expected: string;
  readonly value: unknown;
  constructor(field: string, expected: string, value: unknown) {
    super(`${field} ${expected}`);
    this.field = field;
    this.expected = expected;
    this.value = value;
  }
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Parses and validates one endpoint description.
 *
 * @example
 * parseEndpoint('http://10.0.0.1:8080/api'); // { id: 'http://10.0.0.1:8080/api', basePath: '/api', … }
 * parseEndpoint('10.0.0.2:9000');            // protocol http:, basePath ''
 * @throws EndpointParseError naming the field that was wrong.
 */
export function parseEndpoint(init: EndpointInit): ParsedEndpoint {
  if (typeof init === 'string') return parseEndpointString(init);
  if (init === null || typeof init !== 'object') {
    throw new EndpointParseError('', 'must be a string or an object { host, port }', init);
  }
  const protocol = normaliseProtocol(init.protocol ?? 'http');
  const host = checkHost(init.host);
  const port = checkPort(init.port);
  const basePath = normaliseBasePath(init.basePath ?? '');
  const weight = init.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
    throw new EndpointParseError('.weight', 'must be a finite number > 0', weight);
  }
  const priority = init.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0) {
    throw new EndpointParseError('.priority', 'must be an integer ≥ 0', priority);
  }
  if (init.zone !== undefined && typeof init.zone !== 'string') {
    throw new EndpointParseError('.zone', 'must be a string', init.zone);
  }
  let metadata = EMPTY;
  if (init.metadata !== undefined) {
    if (init.metadata === null || typeof init.metadata !== 'object' || Array.isArray(init.metadata)) {
      throw new EndpointParseError('.metadata', 'must be an object of strings', init.metadata);
    }
    for (const [k, v] of Object.entries(init.metadata)) {
      if (typeof v !== 'string') throw new EndpointParseError(`.metadata.${k}`, 'must be a string', v);
    }
    metadata = Object.freeze({ ...init.metadata });
  }
  return {
    id: makeId(protocol, host, port, basePath),
    protocol, host, port, basePath, weight, priority, zone: init.zone, metadata, authorization: undefined,
  };
}

function parseEndpointString(text: string): ParsedEndpoint {
  const trimmed = text.trim();
  if (trimmed === '') throw new EndpointParseError('', 'must not be empty', text);
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  if (!hasScheme && !/^(\[[^\]]+\]|[^:/]+):\d+(\/|$)/.test(trimmed)) {
    throw new EndpointParseError('', "must be 'http://host:port/base' or 'host:port'", text);
  }
  const withScheme = hasScheme ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new EndpointParseError('', "must be 'http://host:port/base' or 'host:port'", text);
  }
  const protocol = normaliseProtocol(url.protocol);
  if (url.search || url.hash) throw new EndpointParseError('', 'must not have a query or fragment', text);
  const host = checkHost(url.hostname);
  const port = url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port);
  const basePath = normaliseBasePath(url.pathname === '/' ? '' : url.pathname);
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  return {
    id: makeId(protocol, host, port, basePath),
    protocol, host, port, basePath, weight: 1, priority: 0, zone: undefined, metadata: EMPTY, authorization,
  };
}

function makeId(protocol: string, host: string, port: number, basePath: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${protocol}//${h}:${port}${basePath}`;
}

function normaliseProtocol(p: unknown): 'http:' | 'https:' {
  if (typeof p !== 'string') throw new EndpointParseError('.protocol', "must be 'http' or 'https'", p);
  const lower = p.toLowerCase().replace(/:$/, '');
  if (lower === 'http') return 'http:';
  if (lower === 'https') return 'https:';
  throw new EndpointParseError('.protocol', "must be 'http' or 'https'", p);
}

/** Checks a host as a URL would parse it; returns it normalised (lower case, IPv6 without brackets). */
function checkHost(host: unknown): string {
  const bad = (): EndpointParseError => new EndpointParseError('.host', 'must be a host name or IP address', host);
  if (typeof host !== 'string' || host === '' || /[\s/?#@\\]/.test(host)) throw bad();
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === '' || /[[\]]/.test(bare)) throw bad();
  let parsed: string;
  try {
    parsed = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    throw bad();
  }
  // The URL parser refuses forbidden host characters (| < > ^ …) and, with the brackets, a
  // host:port in a host field; what it returns is the host as fetch will send it.
  return parsed.startsWith('[') ? parsed.slice(1, -1) : parsed;
}

function checkPort(port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new EndpointParseError('.port', 'must be an integer from 1 to 65535', port);
  }
  return port;
}

function normaliseBasePath(path: unknown): string {
  if (typeof path !== 'string') throw new EndpointParseError('.basePath', 'must be a string', path);
  if (path === '' || path === '/') return '';
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/\/+$/, '');
}
