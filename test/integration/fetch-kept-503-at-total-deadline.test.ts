// What broke (found by the fetch review): README said both that a call whose total deadline
// runs out rejects with a TimeoutError (scope 'total'), and that a fetch whose later attempt gets
// no response resolves with the response it retried. For a 503 whose retry was still in flight at
// the deadline the code does the latter (fetch rejects only when no response was obtained); the
// Deadlines paragraph now says so. This pins it: the 503's status, an empty body.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('client.fetch: the total deadline runs out while a retry of a 503 is in flight', () => {
  it('resolves with the 503 it retried (status and headers, empty body), not a TimeoutError', async () => {
    let n = 0;
    const [s] = await servers((req, res) => {
      req.resume();
      if (n++ === 0) res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded'); // then: never answers
    });
    const client = track(createClient({ name: 'svc', discovery: [s!.url], health: false }));
    const outcome = await client.fetch('/x', { timeout: { total: 500 } }).then(
      async (res) => ({ resolved: res.status, body: await res.text() }),
      (err: unknown) => err,
    );
    expect(s!.requests).toHaveLength(2);
    expect(outcome).toEqual({ resolved: 503, body: '' });
  });
});
