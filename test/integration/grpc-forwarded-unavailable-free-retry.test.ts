// What broke (bulwark/grpc): an UNAVAILABLE status a server sent (a middle tier forwarding its own grpc-js client's "No connection established" error) was taken for a call that never left the client, so it was retried on every endpoint without drawing on the retry budget (and blamed as not sent).
import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { fail, grpcAfterEach, loadProtos, type SayHandler } from '../helpers/grpc-servers.js';

const { servers, echo, defer } = grpcAfterEach();

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('bulwark/grpc: a status the server sent is not a request that was never sent', () => {
  it('a middle tier answering UNAVAILABLE (its own backend down) gets retries only as the budget allows', async () => {
    const { Echo } = loadProtos();
    // The middle tier's own backend is down: its grpc-js client fails with UNAVAILABLE "No connection established…",
    // and the handler passes that error on, as `callback(err)` of a proxying handler does.
    const backend = new Echo(`127.0.0.1:${await deadPort()}`, grpc.credentials.createInsecure());
    defer(async () => backend.close());
    const forwarded: string[] = [];
    const proxying: SayHandler = (call, callback) => {
      backend.say({ text: call.request.text ?? '' }, { deadline: Date.now() + 5_000 }, (err: grpc.ServiceError | null, res?: unknown) => {
        if (err) forwarded.push(`${err.code} ${err.details}`);
        callback(err, res as never);
      });
    };
    const list = await servers(3);
    for (const s of list) s.say = proxying;
    // A retry budget that allows no retry at all: every request that reached a server is final.
    const client = echo(list, { retry: { attempts: 3, budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 1, cap: 1 } }, health: false });
    const exhausted: string[] = [];
    client.bulwark.on('budgetExhausted', (e) => exhausted.push(e.reason));
    const error = await client.say({ text: 'x' }).then(() => undefined, (e: unknown) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    expect(forwarded[0]).toMatch(/^14 No connection established/);
    // The first server had the request and answered it: the retry is a real one, and the budget has none.
    const reached = list.map((s) => s.calls).reduce((a, b) => a + b, 0);
    expect(reached).toBe(1);
    expect(client.bulwark.stats().attempts).toBe(1);
    expect(exhausted).toHaveLength(1);
  });

  it('(control) the same UNAVAILABLE with other words is held to the budget', async () => {
    const list = await servers(3);
    for (const s of list) s.say = fail(grpc.status.UNAVAILABLE, 'backend down');
    const client = echo(list, { retry: { attempts: 3, budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 1, cap: 1 } }, health: false });
    const error = await client.say({ text: 'x' }).then(() => undefined, (e: unknown) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    expect(list.map((s) => s.calls).reduce((a, b) => a + b, 0)).toBe(1);
    expect(client.bulwark.stats().budgetExhausted).toBe(1);
  });
});
