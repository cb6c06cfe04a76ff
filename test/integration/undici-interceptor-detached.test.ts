// bulwarkInterceptor: a 503 passed over for a retry that then got no response is returned with
// an empty body (its body was released) and without the headers of the body it no longer has.
// undici.request got that; Node's fetch, whose older handler API builds its headers from the raw
// ones, still saw `content-length: 2000` for an empty body. Real node:http server on 127.0.0.1.
import { Agent, request, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort, startServer } from '../helpers/servers.js';

const { track, defer } = closeAfterEach();

/**
 * An interceptor over a client whose first endpoint answers 503 with a 2000-byte body and whose
 * second refuses connections: a call gets the 503, retries, gets no response, and returns the 503.
 */
async function passedOver503(): Promise<Dispatcher> {
  const bad = await startServer((req, res) => { req.resume(); res.writeHead(503, { 'content-type': 'text/plain', 'content-length': '2000' }).end('x'.repeat(2000)); });
  defer(() => bad.close());
  const dead = await closedPort();
  const client = track(createClient({ name: 'svc', discovery: [bad.url, dead], picker: roundRobin({ random: () => 0 }), retry: { budget: false, attempts: 2, backoff: { base: 1, cap: 1 } } }));
  const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
  defer(() => agent.close());
  return agent;
}

describe('interceptor: a passed-over 503 returned after a failed retry', () => {
  it("Node's fetch sees headers matching the empty body (no stale content-length)", async () => {
    const agent = await passedOver503();
    // Node's global fetch passes undici's older handler API, which reads controller.rawHeaders.
    const res = await fetch('http://svc.internal/x', { dispatcher: agent } as unknown as RequestInit);
    const body = await res.text();
    expect(res.status).toBe(503);
    expect(body).toBe('');
    expect(res.headers.get('content-length')).toBeNull();
  });

  it('undici.request sees headers matching the empty body', async () => {
    const agent = await passedOver503();
    const res = await request('http://svc.internal/x', { dispatcher: agent });
    const body = await res.body.text();
    expect(res.statusCode).toBe(503);
    expect(body).toBe('');
    expect(res.headers['content-length']).toBeUndefined();
  });
});
