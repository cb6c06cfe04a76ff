// undici refuses `query` with a path that has a query of its own with a plain Error (no code),
// before sending anything. bulwark took it for a network failure: retried on every endpoint,
// counted against each (enough such calls ejected healthy endpoints) and rejected with
// RequestFailedError. It is now an invalid request: rejected once, as it is, nothing blamed.
import { describe, expect, it } from 'vitest';
import { RequestFailedError, roundRobin } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('request() with `query` and a path that already has a query', () => {
  it('rejects with undici refusal as it is, once, without blaming the endpoints', async () => {
    const [a, b] = await servers(ok(), ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }) }));
    const error = await client.request('/x?y=1', { query: { z: 2 } }).then(() => undefined, (e: unknown) => e);
    expect(error).not.toBeInstanceOf(RequestFailedError);
    expect((error as Error).message).toMatch(/Query params cannot be passed/);
    const stats = client.stats();
    expect(stats.attempts).toBe(1);
    expect(stats.endpoints.map((e) => e.failures)).toEqual([0, 0]);
  });
});
