// What broke: fetch with a Request whose body was already read: readBlob (src/transports/fetch.ts) calls
// request.clone() synchronously, which throws inside bodyReadFirst's executor after the total
// timeout's timer and the abort listeners were set: the call rejects at once, but its timer is
// left behind until the total timeout (and close() does not clear it).
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('client.fetch(Request) whose body was already read', () => {
  it('rejects without leaving a timer behind', async () => {
    const clock = new FakeClock();
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'], clock, health: false, timeout: { total: 60_000 } });
    clients.push(client);
    await clock.advance(0);
    const before = clock.pending;
    const req = new Request('http://svc/x', { method: 'POST', body: 'payload' });
    await req.text();
    await expect(client.fetch(req)).rejects.toBeInstanceOf(TypeError);
    // Nothing runs for this call any more: its timer must be gone.
    expect(clock.pending).toBe(before);
  });
});
