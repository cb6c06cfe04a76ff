import { describe, expect, it } from 'vitest';
import { authorizationOf, LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../../src/endpoints/parse.js';
import { EndpointRegistry } from '../../src/endpoints/registry.js';
import { ConfigError, createClient } from '../../src/index.js';

describe('parseEndpoint', () => {
  it.each([
    ['http://10.0.0.1:8080', 'http://10.0.0.1:8080', ''],
    ['http://10.0.0.1:8080/', 'http://10.0.0.1:8080', ''],
    ['http://10.0.0.1:8080/api/', 'http://10.0.0.1:8080/api', '/api'],
    ['10.0.0.2:9000', 'http://10.0.0.2:9000', ''],
    ['localhost:80', 'http://localhost:80', ''],
    ['https://svc.internal', 'https://svc.internal:443', ''],
    ['http://[::1]:8080', 'http://[::1]:8080', ''],
    ['[::1]:8080/v2', 'http://[::1]:8080/v2', '/v2'],
  ])('%s → %s', (input, id, basePath) => {
    const e = parseEndpoint(input);
    expect(e.id).toBe(id);
    expect(e.basePath).toBe(basePath);
  });

  it('reads objects with weight, priority, zone and metadata', () => {
    const e = parseEndpoint({ host: '10.0.0.1', port: 8080, protocol: 'https:', weight: 2.5, priority: 1, zone: 'a', metadata: { v: '2' }, basePath: 'api' });
    expect(e).toMatchObject({ id: 'https://10.0.0.1:8080/api', weight: 2.5, priority: 1, zone: 'a', metadata: { v: '2' } });
  });

  it('keeps URL credentials out of the id and every view, but sends them as Basic auth', () => {
    const parsed = parseEndpoint('http://user:p%40ss@10.0.0.1:8080');
    expect(parsed.id).toBe('http://10.0.0.1:8080');
    const state = new LiveEndpoint(parsed, 10_000, 0);
    expect(JSON.stringify(state)).not.toContain('p@ss');
    expect(JSON.stringify(state)).not.toContain('user');
    expect(authorizationOf(state)).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  /** The field named by the EndpointParseError `init` throws. */
  function refusedField(init: Parameters<typeof parseEndpoint>[0]): string {
    try {
      parseEndpoint(init);
    } catch (err) {
      if (err instanceof EndpointParseError) return err.field;
      throw err;
    }
    throw new Error('accepted');
  }

  it.each(['http://h:0', 'h:0', '[::1]:0', 'https://h:0/api', 'tcp://h:0'])('refuses the port of %s', (input) => {
    expect(refusedField(input)).toBe('.port');
  });

  it.each([0, -1, 65536, 1.5, Number.NaN])('refuses the port %s in an object', (port) => {
    expect(refusedField({ host: 'h', port })).toBe('.port');
  });

  it.each([
    ['tcp://db:5432', 'tcp:', 5432, 'tcp://db:5432'],
    ['redis://cache:6379', 'redis:', 6379, 'redis://cache:6379'],
    ['grpc://svc:50051', 'grpc:', 50051, 'grpc://svc:50051'],
    ['REDIS://Cache:6379/0', 'redis:', 6379, 'redis://cache:6379/0'],
    ['svc+tls.v2://[::1]:80', 'svc+tls.v2:', 80, 'svc+tls.v2://[::1]:80'],
    ['tcp://db:80', 'tcp:', 80, 'tcp://db:80'],
    ['http://h:80', 'http:', 80, 'http://h:80'],
    ['https://h:80', 'https:', 80, 'https://h:80'],
    ['HTTPS://h', 'https:', 443, 'https://h:443'],
    ['http://h', 'http:', 80, 'http://h:80'],
    ['h:443', 'http:', 443, 'http://h:443'],
  ])('accepts the scheme of %s', (input, protocol, port, id) => {
    expect(parseEndpoint(input)).toMatchObject({ protocol, port, id });
  });

  it.each(['redis', 'redis:', 'REDIS:', 'tcp', 'https'])('accepts the protocol %j in an object', (protocol) => {
    const e = parseEndpoint({ host: 'cache', port: 6379, protocol });
    expect(e.protocol).toBe(`${protocol.toLowerCase().replace(/:$/, '')}:`);
    expect(e.id).toBe(`${e.protocol}//cache:6379`);
  });

  it.each(['tcp://db', 'redis://cache/0', 'grpc://svc:'])('requires a port for %s, whose scheme has no default', (input) => {
    expect(refusedField(input)).toBe('.port');
  });

  it.each(['', ':', '1tcp', 'tc p', 'redis::', 'ht_tp', 'http://'])('refuses the protocol %j in an object', (protocol) => {
    expect(refusedField({ host: 'h', port: 80, protocol })).toBe('.protocol');
  });
});

describe('an object basePath with a query or fragment', () => {
  const SECRET = 'hunter2';
  const PATHS = ['/x?password=hunter2', '/x?token=hunter2#y', '/x#hunter2', 'x/?hunter2', '?hunter2', '/x/y#a?hunter2'];

  /** The EndpointParseError parsing `init` throws. */
  function parseError(init: Parameters<typeof parseEndpoint>[0]): EndpointParseError {
    try {
      parseEndpoint(init);
    } catch (err) {
      if (err instanceof EndpointParseError) return err;
      throw err;
    }
    throw new Error('accepted');
  }

  it.each(PATHS)('%s is refused as in a string, without echoing the query or fragment', (basePath) => {
    const err = parseError({ host: '10.0.0.1', port: 8080, basePath });
    expect(err.field).toBe('.basePath');
    expect(err.expected).toBe(parseError(`http://10.0.0.1:8080${basePath.startsWith('/') ? '' : '/'}${basePath}`).expected);
    expect(err.expected).toBe('must not have a query or fragment');
    expect(`${err.message} ${String(err.value)}`).not.toContain(SECRET);
    expect(err.value).toBe(`${basePath.replace(/[?#].*$/, '')}${/[?#]/.exec(basePath)![0]}…`);
  });

  it('is a ConfigError in createClient naming discovery[i].basePath, with no secret in message or value', () => {
    let error: unknown;
    try {
      createClient({ name: 'svc', discovery: ['127.0.0.1:1', { host: '10.0.0.1', port: 8080, basePath: '/x?password=hunter2' }] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const err = error as ConfigError;
    expect(err.path).toBe('discovery[1].basePath');
    expect(err.message).toBe('svc: discovery[1].basePath must not have a query or fragment, got "/x?…"');
    expect(JSON.stringify(err.value)).not.toContain(SECRET);
  });

  it('is rejected by discovery updates: no endpoint id, url or path carries the query', () => {
    const reasons: string[] = [];
    const entries: string[] = [];
    const r = new EndpointRegistry(10_000, () => 0, { changed() {}, rejected: (e) => { reasons.push(e.reason); entries.push(String(e.entry)); }, failed() {} });
    r.replace([{ host: '10.0.0.1', port: 8080, basePath: '/x?password=hunter2' }, '127.0.0.1:1', 'http://10.0.0.2:80/y?token=abc']);
    expect(r.list.map((e) => e.id)).toEqual(['http://127.0.0.1:1']);
    expect(reasons).toEqual(['endpoint.basePath must not have a query or fragment', 'endpoint must not have a query or fragment']);
    // The event's entry shows the rejected description, with its query cut: it may hold a token.
    expect(entries).toEqual(['{"host":"10.0.0.1","port":8080,"basePath":"/x?…"}', 'http://10.0.0.2:80/y?…']);
  });

  it.each([['/a%3Fb%23c', '/a%3Fb%23c'], ['api/', '/api'], ['/', '']])('accepts %s, escaped or plain, as %s', (basePath, expected) => {
    expect(parseEndpoint({ host: 'h', port: 80, basePath }).basePath).toBe(expected);
  });
});
