import { Agent } from 'undici';
import { expect, it } from 'vitest';
import { ConsecutiveBreaker, createClient, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

// What broke: a `dispatcher` Node's fetch cannot drive (a plain undici 8 `Agent` given as
// `init.dispatcher`; docs/undici.md says to wrap it) makes fetch fail before anything is sent
// ("fetch failed", its cause UND_ERR_INVALID_ARG). bulwark took that for a network failure:
// retried on every endpoint, each attempt a failure against a healthy endpoint (with a breaker
// of 1, the caller's mistake ejected them), then RequestFailedError. It is an invalid request,
// as README's table says of such refusals: one attempt, `'cancelled'`, `invalid request`,
// nobody blamed, and the call rejects with fetch's own error, as plain fetch does.

const { track, servers } = closeAfterEach();

it('a dispatcher Node\'s fetch refuses is an invalid request: one attempt, nobody blamed, fetch\'s own error', async () => {
  const [a, b] = await servers(ok(), ok());
  const client = track(createClient({
    name: 'svc', discovery: [a!.url, b!.url],
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  }));
  const attempts: AttemptEvent[] = [];
  client.on('attempt', (e) => attempts.push(e));
  const agent = new Agent();
  // Its types say so too: undici 8's handlers are not those of the undici inside Node's fetch.
  const init = { dispatcher: agent } as unknown as RequestInit;
  try {
    // What plain fetch on this Node does with it: a Node whose fetch drives undici 8's handlers
    // (a later major) sends the request, and so does bulwark.
    const plain: unknown = await fetch(a!.url, init).then((r) => r.arrayBuffer().then(() => undefined), (e: unknown) => e);
    a!.requests.length = 0;
    if (plain === undefined) {
      expect((await client.fetch('/', init)).status).toBe(200);
      expect(attempts.map((e) => e.verdict)).toEqual(['success']);
      return;
    }
    const error = await client.fetch('/', init).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as { code?: string }).code).toBe('UND_ERR_INVALID_ARG');
    expect(attempts.map((e) => `${e.verdict} ${e.reason}`)).toEqual(['cancelled invalid request']);
    expect(client.stats().endpoints.map((e) => [e.failures, e.health?.status])).toEqual([[0, 'healthy'], [0, 'healthy']]);
    expect(a!.requests.length + b!.requests.length).toBe(0);
  } finally {
    await agent.close();
  }
});
