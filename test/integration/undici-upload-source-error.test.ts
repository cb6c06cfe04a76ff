// What broke: an upload whose own source failed mid-stream (the file vanished, the upstream being piped broke) was blamed on the backend: request() and the interceptor counted a failure against the healthy endpoint, five such uploads ejected it for every caller, and the error said the request failed "at" that endpoint.
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, type AttemptEvent, type Client } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { reset, type Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

/** A healthy backend: reads the whole upload and answers 200. */
const sink: Handler = (req, res) => {
  req.on('error', () => {});
  req.on('data', () => {});
  req.on('end', () => res.writeHead(200).end('stored'));
};

/** An upload whose source fails after two chunks, as a file stream does when the file goes away. */
function failingUpload(): { body: Readable; error: Error } {
  const error = Object.assign(new Error("ENOENT: no such file or directory, open '/data/upload.bin'"), { code: 'ENOENT' });
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent++ < 2) this.push('chunk');
      else setTimeout(() => this.destroy(error), 10);
    },
  });
  return { body, error };
}

/** An async iterable upload failing the same way (a broken upstream). */
async function* failingIterable(error: Error): AsyncGenerator<string> {
  yield 'chunk';
  await sleep(10);
  throw error;
}

/** Sends six uploads whose source fails, then reports what the client holds against its one healthy endpoint. */
async function sixBrokenUploads(client: Client, send: (body: Readable) => Promise<unknown>): Promise<{ errors: unknown[]; sources: Error[]; ejections: number; attempts: AttemptEvent[] }> {
  let ejections = 0;
  const attempts: AttemptEvent[] = [];
  client.on('health', (e) => { if (e.status === 'ejected') ejections++; });
  client.on('attempt', (e) => attempts.push(e));
  const errors: unknown[] = [];
  const sources: Error[] = [];
  for (let i = 0; i < 6; i++) {
    const { body, error } = failingUpload();
    sources.push(error);
    errors.push(await send(body).then(() => undefined, (e: unknown) => e));
  }
  await sleep(20);
  return { errors, sources, ejections, attempts };
}

function endpointState(client: Client): { failures: number; status: string | undefined } {
  const e = client.stats().endpoints[0]!;
  return { failures: e.failures, status: e.health?.status };
}

describe("an upload whose own source fails is the caller's failure, not the endpoint's", () => {
  it('request(): rejects with the source\'s error; one attempt, cancelled; the endpoint is not counted against nor ejected', async () => {
    const [server] = await servers(sink);
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url] }));
    const { errors, sources, ejections, attempts } = await sixBrokenUploads(client, (body) => client.request('/upload', { method: 'PUT', body }).then((r) => r.body.dump()));
    errors.forEach((e, i) => expect(e).toBe(sources[i]));
    expect(attempts.map((a) => [a.verdict, a.reason])).toEqual(Array(6).fill(['cancelled', 'body source failed']));
    expect({ ejections, ...endpointState(client) }).toEqual({ ejections: 0, failures: 0, status: 'healthy' });
  });

  it('request() with an async iterable or a ReadableStream body: the same', async () => {
    const [server] = await servers(sink);
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url] }));
    const error = new Error('upstream broke');
    expect(await client.request('/upload', { method: 'PUT', body: failingIterable(error) as never }).catch((e: unknown) => e)).toBe(error);
    const webError = new Error('web upstream broke');
    const web = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('chunk')); setTimeout(() => c.error(webError), 10); } });
    expect(await client.request('/upload', { method: 'PUT', body: web as never }).catch((e: unknown) => e)).toBe(webError);
    expect(endpointState(client)).toEqual({ failures: 0, status: 'healthy' });
  });

  it('the interceptor: rejects with the source\'s error; the endpoint is not counted against nor ejected', async () => {
    const [server] = await servers(sink);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const { errors, sources, ejections } = await sixBrokenUploads(client, (body) => request('http://svc.internal/upload', { dispatcher: agent, method: 'PUT', body }).then((r) => r.body.dump()));
    errors.forEach((e, i) => expect(e).toBe(sources[i]));
    expect({ ejections, ...endpointState(client) }).toEqual({ ejections: 0, failures: 0, status: 'healthy' });
  });

  it("the interceptor under fetch: a ReadableStream body's error is the caller's too", async () => {
    const [server] = await servers(sink);
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const error = new Error('upstream broke');
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('chunk')); setTimeout(() => c.error(error), 10); } });
    const err = await fetch('http://svc.internal/upload', { method: 'PUT', body, duplex: 'half', dispatcher: agent } as unknown as RequestInit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).cause).toBe(error);
    expect(endpointState(client)).toEqual({ failures: 0, status: 'healthy' });
  });

  it('a connection the endpoint breaks during the upload is still the endpoint\'s failure, and the source is destroyed', async () => {
    const [server] = await servers(reset());
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url] }));
    const body = new Readable({ read() {} });
    body.push('chunk');
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (e) => attempts.push(e));
    const err = await client.request('/upload', { method: 'POST', body }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('RequestFailedError');
    expect(attempts.map((a) => a.verdict)).toEqual(['failure']);
    expect(endpointState(client).failures).toBe(1);
    await until(() => body.destroyed, 1_000);
  });

  it('a stream body that the endpoint took whole is sent as it was', async () => {
    const [server] = await servers((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200).end(Buffer.concat(chunks)));
    });
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url] }));
    const res = await client.request('/upload', { method: 'PUT', body: Readable.from(['a', 'b', 'c']) });
    expect(await res.body.text()).toBe('abc');
    const iterated = await client.request('/upload', { method: 'PUT', body: (async function* () { yield 'x'; yield 'y'; })() as never });
    expect(await iterated.body.text()).toBe('xy');
  });
});
