// A redirect fetch refuses to follow because of where it points (a Location that is not http(s),
// such as ftp: or data:, or one that does not parse) was taken for a network failure: the GET
// went to every endpoint (each answering the same redirect), each counted as a failure, and the
// call rejected with RequestFailedError. As plain fetch does, it now rejects once with fetch's
// TypeError, and no endpoint is blamed (README, "What is retried").
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { counts, type Handler } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

const redirectTo = (location: string): Handler => (req, res) => {
  req.resume();
  res.writeHead(302, { location }).end();
};

describe("client.fetch: a redirect fetch refuses to follow (not an http(s) URL)", () => {
  for (const location of ['ftp://files.example/report.pdf', 'http://[broken/x']) {
    it(`Location: ${location} — rejects with fetch's TypeError once, no endpoint blamed`, async () => {
      const up = await servers(redirectTo(location), redirectTo(location), redirectTo(location));
      // Plain fetch: a TypeError, at once.
      const plain = await fetch(`${up[0]!.url}/doc`).catch((e: unknown) => e);
      expect(plain).toBeInstanceOf(TypeError);
      up[0]!.requests.length = 0;

      const client = track(createClient({ name: 'docs', discovery: up.map((s) => s.url), picker: roundRobin(), retry: { budget: false } }));
      const events: AttemptEvent[] = [];
      client.on('attempt', (e) => events.push(e));
      const err = await client.fetch('/doc').catch((e: unknown) => e);
      // Today: RequestFailedError after 3 attempts, one per endpoint, each 'retry' and counted as a failure.
      expect(err).toBeInstanceOf(TypeError);
      expect(counts(up).reduce((a, b) => a + b, 0)).toBe(1);
      expect(events.map((e) => `${e.verdict} ${e.reason}`)).toEqual(['cancelled invalid request']);
      expect(client.stats().endpoints.reduce((n, e) => n + e.failures, 0)).toBe(0);
    });
  }
});
