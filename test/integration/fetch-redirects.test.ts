// client.fetch and redirects: a followed redirect means the endpoint got (and answered) the
// request, so a connection refused at the redirect's target is no proof that nothing was sent:
// a POST was sent again to every endpoint. And a redirect fetch refuses to follow (`redirect:
// 'error'`) is the endpoint's answer, not a network failure to retry and blame it for.
// Real node:http servers on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort, counts, type Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

/** Takes the POST (a side effect), then answers 303 See Other to `location`. */
const postThenSeeOther = (location: () => string): Handler => (req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(303, { location: location() }).end());
};

describe('client.fetch: a POST the endpoint answered with a redirect', () => {
  it('is not sent again to another endpoint when following the redirect fails to connect (ECONNREFUSED after the POST was taken)', async () => {
    const gone = await closedPort();
    const up = await servers(postThenSeeOther(() => `${gone}/orders/1`), postThenSeeOther(() => `${gone}/orders/1`), postThenSeeOther(() => `${gone}/orders/1`));
    const client = track(createClient({ name: 'orders', discovery: up.map((s) => s.url), picker: roundRobin(), health: false }));
    // Plain fetch: the POST reaches one server once, then the call rejects (fetch failed).
    await expect(client.fetch('/orders', { method: 'POST', body: 'buy 1' })).rejects.toThrow();
    const posts = up.flatMap((s) => s.requests).filter((r) => r.method === 'POST');
    // README "What is retried": only a connection never established is retried for any method — "nothing was sent".
    expect(posts).toHaveLength(1);
    expect(counts(up).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe("client.fetch: redirect: 'error'", () => {
  it('a 3xx is the endpoint\'s answer: not retried on other endpoints', async () => {
    const redirect: Handler = (req, res) => { req.resume(); res.writeHead(302, { location: '/elsewhere' }).end(); };
    const up = await servers(redirect, redirect, redirect);
    const client = track(createClient({ name: 'svc', discovery: up.map((s) => s.url), picker: roundRobin(), health: false }));
    const attempts: string[] = [];
    client.on('attempt', (e: { verdict: string }) => attempts.push(e.verdict));
    // Plain fetch with redirect: 'error' rejects after one request.
    await expect(client.fetch('/x', { redirect: 'error' })).rejects.toThrow();
    expect(counts(up).reduce((a, b) => a + b, 0)).toBe(1);
  });
});
