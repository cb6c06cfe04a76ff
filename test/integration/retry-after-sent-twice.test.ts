// What broke: a 503 carrying Retry-After twice ('2' and '2') paused its endpoint through
// bulwark/undici's request() (undici's headers give the first value) but not through
// client.fetch, where fetch's Headers join the lines into '2, 2', which was read as unreadable.
// The same response was judged two ways. A joined header now counts when its values agree,
// through every transport (request() read only the first of two that differed).
import { fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { retryAfterMs } from '../../src/transports/classify.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import type { Handler } from '../helpers/servers.js';

describe('Retry-After sent twice', () => {
  const { track, servers } = closeAfterEach();
  const twice: Handler = (req, res) => {
    req.resume();
    res.setHeader('retry-after', ['2', '2']);
    res.writeHead(503).end('busy');
  };
  const fine: Handler = (req, res) => {
    req.resume();
    res.end('ok');
  };

  const differing: Handler = (req, res) => {
    req.resume();
    res.setHeader('retry-after', ['2', '7']);
    res.writeHead(503).end('busy');
  };

  for (const kind of ['request()', 'fetch', "undici's fetch"] as const) {
    it(`${kind}: pauses the endpoint for the value both say`, async () => {
      const [a, b] = await servers(twice, fine);
      const options = { name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }), retry: { backoff: { base: 1, cap: 1 } } };
      if (kind === 'request()') {
        const client = track(createUndiciClient(options));
        await (await client.request('/x')).body.text();
        expect(client.stats().endpoints[0]!.health?.pausedFor).toBeGreaterThan(1_000);
      } else {
        const client = track(createClient(kind === 'fetch' ? options : { ...options, fetch: undiciFetch }));
        await (await client.fetch('/x')).text();
        expect(client.stats().endpoints[0]!.health?.pausedFor).toBeGreaterThan(1_000);
      }
    });

    it(`${kind}: ignores two values that differ`, async () => {
      const [a, b] = await servers(differing, fine);
      const options = { name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }), retry: { backoff: { base: 1, cap: 1 } } };
      const client = kind === 'request()' ? track(createUndiciClient(options)) : track(createClient(kind === 'fetch' ? options : { ...options, fetch: undiciFetch }));
      if (kind === 'request()') await (await (client as ReturnType<typeof createUndiciClient>).request('/x')).body.text();
      else await (await (client as ReturnType<typeof createClient>).fetch('/x')).text();
      expect(client.stats().endpoints[0]!.health?.pausedFor ?? null).toBeNull();
    });
  }

  it('reads a joined list when its values are valid and agree, and ignores it otherwise (RFC 9110)', () => {
    const date = new Date(10_000).toUTCString(); // 'Thu, 01 Jan 1970 00:00:10 GMT'
    expect(retryAfterMs('2, 2', 0)).toBe(2_000);
    expect(retryAfterMs('2,2 , 2', 0)).toBe(2_000);
    expect(retryAfterMs(`${date}, ${date}`, 4_000)).toBe(6_000);
    expect(retryAfterMs(`${date}, 6`, 4_000)).toBe(6_000);
    const asctime = 'Thu Jan  1 00:00:10 1970';
    expect(retryAfterMs(asctime, 4_000)).toBe(6_000);
    expect(retryAfterMs(`${asctime}, ${asctime}`, 4_000)).toBe(6_000);
    for (const invalid of ['2, soon', '1, 3600', `${date}, x`, `${date} later`, '2 soon', ', 2', '2,', '2.5', '-1', '+3', '1e1']) {
      expect([invalid, retryAfterMs(invalid, 0)]).toEqual([invalid, undefined]);
    }
  });
});
