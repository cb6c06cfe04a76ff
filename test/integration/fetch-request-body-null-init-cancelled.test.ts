// What broke (found by the third diff review): a Request with a stream body given with
// `{ body: null }` (which keeps the Request's body, as fetch reads it) to a call whose signal was
// already aborted, or to a closed client, was not cancelled: only `init.body === undefined`
// counted as keeping it. Its source waited for ever.
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

function streamRequest(): { request: Request; cancelled: () => boolean } {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({ pull() {}, cancel() { cancelled = true; } });
  const request = new Request('http://127.0.0.1:9/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);
  return { request, cancelled: () => cancelled };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

it('Node fetch cancels the Request stream body on an aborted signal with or without init.body: null (reference)', async () => {
  for (const init of [{}, { body: null }]) {
    const { request, cancelled } = streamRequest();
    await fetch(request, { ...init, signal: AbortSignal.abort() }).catch(() => {});
    await tick();
    expect(cancelled()).toBe(true);
  }
});

it('bulwark: aborted signal, Request stream body, init.body undefined → cancelled (holds)', async () => {
  const client = createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'] });
  clients.push(client);
  const { request, cancelled } = streamRequest();
  await expect(client.fetch(request, { signal: AbortSignal.abort() })).rejects.toBeDefined();
  await tick();
  expect(cancelled()).toBe(true);
});

it('bulwark: aborted signal, Request stream body, init.body null → cancelled as fetch does', async () => {
  const client = createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'] });
  clients.push(client);
  const { request, cancelled } = streamRequest();
  await expect(client.fetch(request, { body: null, signal: AbortSignal.abort() })).rejects.toBeDefined();
  await tick();
  expect(cancelled()).toBe(true); // now false: the source waits for ever
});

it('bulwark: closed client, Request stream body, init.body null → cancelled', async () => {
  const client = createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'] });
  await client.close();
  const { request, cancelled } = streamRequest();
  await expect(client.fetch(request, { body: null })).rejects.toBeDefined();
  await tick();
  expect(cancelled()).toBe(true); // now false
});
