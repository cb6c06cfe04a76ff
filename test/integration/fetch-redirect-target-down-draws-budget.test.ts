// What broke: when every endpoint answered GETs with a redirect to a host that is down, the redirect's "connection refused" was taken for "nothing was sent": each call went to 3 endpoints even with the retry budget spent (a retry storm the budget exists to stop), and the error blamed the endpoint ("connection refused at http://A"). Such a retry now draws on the budget, and the reason names the redirect's target.
// README "What is retried": "An attempt that provably never reached a server (the connection was
// refused or never established) is retried without drawing on the budget". An attempt whose
// endpoint answered with a 302 did reach a server: its retry adds load, so it draws on the budget
// like any other retry. Real node:http servers on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { createClient, RequestFailedError, roundRobin, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort, counts, type Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** Endpoints that all redirect to `gone` (a login or storage host that is down). */
async function redirectingTo(gone: string) {
  const redirect: Handler = (req, res) => { req.resume(); res.writeHead(302, { location: `${gone}/signed/object?sig=s3cr3t` }).end(); };
  return servers(redirect, redirect, redirect);
}

describe('client.fetch: a GET redirected to a target that refuses connections', () => {
  it('draws on the retry budget: with none left, the endpoints see one request, not three', async () => {
    const gone = await closedPort();
    const up = await redirectingTo(gone);
    const client = track(createClient({
      name: 'files', discovery: up.map((s) => s.url), picker: roundRobin(), health: false,
      // A budget that allows no retry at all: only requeues of attempts that never reached a server go out.
      retry: { budget: { ratio: 0, minPerSecond: 0 } },
    }));
    let budgetExhausted = 0;
    client.on('budgetExhausted', () => { budgetExhausted++; });
    const err = await client.fetch('/files/1').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    // Each endpoint that answered the 302 had the request: a second and third one is load the budget must pay for.
    expect(counts(up).reduce((a, b) => a + b, 0)).toBe(1);
    expect(budgetExhausted).toBe(1);
  });

  it('is still retried on another endpoint while the budget allows, and the reason names the redirect target, not the endpoint', async () => {
    const gone = await closedPort();
    const up = await redirectingTo(gone);
    const client = track(createClient({ name: 'files', discovery: up.map((s) => s.url), picker: roundRobin(), health: false, retry: { backoff: { base: 0, cap: 0 } } }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const err = await client.fetch('/files/1').then(() => undefined, (e: unknown) => e);
    expect(counts(up)).toEqual([1, 1, 1]);
    const reason = `connection refused after a redirect to ${new URL(gone).origin}`;
    expect(events.map((e) => `${e.verdict}: ${e.reason}`)).toEqual(Array(3).fill(`retry: ${reason}`));
    expect(err).toBeInstanceOf(RequestFailedError);
    // Was: "(last: connection refused at http://<endpoint>)". The target's path and query (a signature) are not shown.
    expect((err as Error).message).toContain(`last: ${reason} at `);
    expect((err as Error).message).not.toContain('s3cr3t');
  });
});
