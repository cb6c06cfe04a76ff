import { describe, expect, it } from 'vitest';
import { authorizationOf, EndpointState } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';

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
    const state = new EndpointState(parsed, 10_000, 0);
    expect(JSON.stringify(state)).not.toContain('p@ss');
    expect(JSON.stringify(state)).not.toContain('user');
    expect(authorizationOf(state)).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });
});
