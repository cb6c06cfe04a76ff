// What broke (found by the undici review): a request body that is a typed array other than Uint8Array (Float32Array,
// Uint16Array, …) is taken for a one-shot stream: isReplayable (src/undici/headers.ts) sees
// Symbol.iterator on it and gives the call one attempt, so an idempotent PUT answered 503 is
// not retried. undici sends such a body as bytes (ArrayBuffer.isView) and can send it again,
// exactly as the ArrayBuffer and DataView bodies that bulwark does retry; client.fetch retries
// the same body ("What is retried is what client.fetch retries").
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import type { Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

const busy: Handler = (req, res) => { req.resume(); res.writeHead(503).end('busy'); };
const echoLength: Handler = (req, res) => {
  let n = 0;
  req.on('data', (c: Buffer) => { n += c.length; });
  req.on('end', () => res.end(String(n)));
};

const options = (a: string, b: string) => ({
  name: 'svc',
  discovery: [a, b],
  picker: roundRobin({ random: () => 0 }),
  health: false as const,
  retry: { attempts: 2, backoff: { base: 1, cap: 1 } },
});

describe('a typed-array request body (not a Uint8Array)', () => {
  for (const [name, make] of [
    ['Float32Array', () => new Float32Array([1, 2, 3, 4])],
    ['Uint16Array', () => new Uint16Array([1, 2, 3, 4, 5, 6, 7, 8])],
  ] as const) {
    it(`request(): a PUT with a ${name} body answered 503 is retried on the other endpoint, as an ArrayBuffer body is`, async () => {
      const [a, b] = await servers(busy, echoLength);
      const client = track(createUndiciClient(options(a!.url, b!.url)));
      // Control: the same bytes as an ArrayBuffer are retried.
      const control = await client.request('/x', { method: 'PUT', body: make().buffer as unknown as Uint8Array });
      expect(control.statusCode).toBe(200);
      expect(await control.body.text()).toBe('16');
      await (await client.request('/warm', { method: 'PUT', body: make().buffer as unknown as Uint8Array })).body.text(); // back to A first
      const res = await client.request('/x', { method: 'PUT', body: make() as unknown as Uint8Array });
      const text = await res.body.text();
      expect(res.statusCode).toBe(200); // (was: 503, one attempt only)
      expect(text).toBe('16');
    });
  }

  it('interceptor + undici.request: a PUT with a Float32Array body answered 503 is retried, as a Buffer body is', async () => {
    const [a, b] = await servers(busy, echoLength);
    const client = track(createClient(options(a!.url, b!.url)));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const control = await request('http://svc.internal/x', { method: 'PUT', body: Buffer.from(new Float32Array([1, 2, 3, 4]).buffer), dispatcher: agent });
    expect(control.statusCode).toBe(200);
    await control.body.text();
    await (await request('http://svc.internal/warm', { method: 'PUT', body: 'x', dispatcher: agent })).body.text();
    const res = await request('http://svc.internal/x', { method: 'PUT', body: new Float32Array([1, 2, 3, 4]) as unknown as Buffer, dispatcher: agent });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200); // (was: 503)
    expect(text).toBe('16');
  });
});
