// What broke: when a retried 503 was what client.fetch resolved with (the retry got no response), its body was empty but its headers still said `content-length: 2000` (or `transfer-encoding: chunked`, `content-encoding: gzip`): a gateway passing status, headers and body on promised bytes that never came, and its client hung. request() and the interceptor were fixed for this; client.fetch now drops them too.
// README "What is retried": "when a later attempt gets no response at all, the call resolves with
// the retried response's status and headers, and an empty body (its body was released)", without
// the headers that described that body. Real node:http servers on 127.0.0.1.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort, type Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

const busy = (headers: Record<string, string>, body: string | Buffer): Handler => (req, res) => {
  req.resume();
  res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1', ...headers }).end(body);
};

/** A client whose first attempt goes to `bad` (a 503, retried) and whose retry finds nothing listening. */
async function retriedIntoNothing(bad: string) {
  const dead = await closedPort();
  return track(createClient({ name: 'svc', discovery: [bad, dead], picker: roundRobin({ random: () => 0 }), retry: { attempts: 2 }, health: false }));
}

describe('client.fetch resolving with a retried 503 whose body was released', () => {
  it('has no content-length that promises the released bytes, and keeps the other headers', async () => {
    const [bad] = await servers(busy({ 'content-length': '2000' }, 'x'.repeat(2000)));
    const res = await (await retriedIntoNothing(bad!.url)).fetch('/x');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toBe('');
    // Was: content-length 2000 over an empty body.
    expect(res.headers.get('content-length') ?? '0').toBe(String(Buffer.byteLength(text)));
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('has no transfer-encoding: chunked over the empty body', async () => {
    const [bad] = await servers((req, res) => { req.resume(); res.writeHead(503, { 'content-type': 'text/plain' }); res.write('part one, '); res.end('part two'); });
    const res = await (await retriedIntoNothing(bad!.url)).fetch('/x');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
    expect(res.headers.get('transfer-encoding')).toBeNull();
  });

  it('has no content-encoding: gzip over the empty body (fetch had decoded it; an empty body is no gzip)', async () => {
    const [bad] = await servers(busy({ 'content-encoding': 'gzip' }, gzipSync('busy, try later')));
    const res = await (await retriedIntoNothing(bad!.url)).fetch('/x');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
    expect(res.headers.get('content-encoding')).toBeNull();
  });
});
