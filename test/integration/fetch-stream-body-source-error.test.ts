// What broke: client.fetch with a stream body (a ReadableStream, an async iterable) whose own source failed mid-upload (a broken upstream) blamed the endpoint: a counted failure, an ejection after five, and a RequestFailedError saying the request failed "at" the healthy endpoint.
import { describe, expect, it } from 'vitest';
import { createClient, type AttemptEvent, type Client } from '../../src/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { reset, type Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** A healthy backend: reads the whole upload and answers 200. */
const sink: Handler = (req, res) => {
  req.on('error', () => {});
  req.on('data', () => {});
  req.on('end', () => res.writeHead(200).end('stored'));
};

/** A ReadableStream upload whose source fails after one chunk. */
function failingStream(error: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('chunk'));
      setTimeout(() => c.error(error), 10);
    },
  });
}

async function* failingIterable(error: Error): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode('chunk');
  await sleep(10);
  throw error;
}

function watch(client: Client): { attempts: AttemptEvent[]; ejections: () => number } {
  const attempts: AttemptEvent[] = [];
  let ejections = 0;
  client.on('attempt', (e) => attempts.push(e));
  client.on('health', (e) => { if (e.status === 'ejected') ejections++; });
  return { attempts, ejections: () => ejections };
}

describe("client.fetch: a stream body whose own source fails is the caller's failure", () => {
  it('ReadableStream body: rejects with fetch\'s error (the source\'s as its cause); cancelled attempts; no failure, no ejection', async () => {
    const [server] = await servers(sink);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const { attempts, ejections } = watch(client);
    for (let i = 0; i < 6; i++) {
      const error = new Error('upstream broke');
      const err = await client.fetch('/upload', { method: 'PUT', body: failingStream(error), duplex: 'half' } as RequestInit).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).cause).toBe(error);
    }
    await sleep(20);
    expect(attempts.map((a) => [a.verdict, a.reason])).toEqual(Array(6).fill(['cancelled', 'body source failed']));
    const e = client.stats().endpoints[0]!;
    expect({ ejections: ejections(), failures: e.failures, status: e.health?.status }).toEqual({ ejections: 0, failures: 0, status: 'healthy' });
  });

  it('async iterable body: the same', async () => {
    const [server] = await servers(sink);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const error = new Error('generator broke');
    const err = await client.fetch('/upload', { method: 'POST', body: failingIterable(error), duplex: 'half' } as unknown as RequestInit).catch((e: unknown) => e);
    expect((err as Error).cause).toBe(error);
    expect(client.stats().endpoints[0]!.failures).toBe(0);
  });

  it('a connection the endpoint breaks is still counted against it', async () => {
    const [server] = await servers(reset());
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const { attempts } = watch(client);
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('chunk')); } });
    const err = await client.fetch('/upload', { method: 'POST', body, duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    expect((err as Error).name).toBe('RequestFailedError');
    expect(attempts.map((a) => a.verdict)).toEqual(['failure']);
    expect(client.stats().endpoints[0]!.failures).toBe(1);
  });

  it('a stream body reaches the fetch function whole, as a ReadableStream', async () => {
    let seen: unknown;
    const client = track(createClient({
      name: 'svc',
      discovery: ['http://10.0.0.1:8080'],
      fetch: async (_url, init) => {
        seen = init?.body;
        return new Response(await new Response(init?.body).text());
      },
    }));
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('a')); c.enqueue(new TextEncoder().encode('b')); c.close(); } });
    const res = await client.fetch('/upload', { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(await res.text()).toBe('ab');
    expect(seen).toBeInstanceOf(ReadableStream);
  });
});
