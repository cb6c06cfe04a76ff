// request() resolving with a retried 503 whose body bulwark had read away (the next attempt got no
// response) kept the 503's `content-length` (or `transfer-encoding`) over an empty body: a
// gateway passing headers and body on promised bytes that never came. They are now left out, as
// the interceptor already did.
import { describe, expect, it } from 'vitest';
import { roundRobin } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort, status } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('request() resolving with a retried 503 whose body was read away', () => {
  it('gives headers that match the empty body', async () => {
    const [a] = await servers(status(503, { 'content-length': '10' }));
    const dead = await closedPort();
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url, dead], picker: roundRobin({ random: () => 0 }), retry: { attempts: 2 } }));
    const res = await client.request('/x');
    expect(res.statusCode).toBe(503);
    const text = await res.body.text();
    expect(text).toBe('');
    expect(res.headers['content-length'] ?? '0').toBe(String(Buffer.byteLength(text)));
    expect(res.headers['transfer-encoding']).toBeUndefined();
  });
});
