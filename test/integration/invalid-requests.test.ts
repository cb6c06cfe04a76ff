// A request the HTTP client itself refuses (a header value, a GET with a body, a forbidden
// method, a path undici will not send) fails on every endpoint alike: it is the caller's to
// fix. It is not retried, counts nothing against the endpoint, and the caller gets the error
// as plain fetch or undici gives it.
import { describe, expect, it } from 'vitest';
import { createClient, RequestFailedError, roundRobin, type AttemptEvent } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('an invalid request', () => {
  it('client.fetch: rejects with fetch\'s own TypeError after one attempt, retrying nothing and blaming no endpoint', async () => {
    const [a, b] = await servers(ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin(), health: { maxEjectionPercent: 50 } }));
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (e) => attempts.push(e));
    const health: string[] = [];
    client.on('health', (e) => health.push(e.status));
    const invalid: RequestInit[] = [
      { headers: { 'x-trace': 'a\nb' } },
      { method: 'GET', body: 'x' },
      { method: 'CONNECT' },
    ];
    // Six rounds: enough that five failures in a row on one endpoint would eject it.
    for (let round = 0; round < 6; round++) {
      for (const init of invalid) {
        const err = await client.fetch('/x', init).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(TypeError);
        expect(err).not.toBeInstanceOf(RequestFailedError);
      }
    }
    expect(attempts).toHaveLength(18);
    expect(new Set(attempts.map((e) => `${e.verdict} ${e.reason}`))).toEqual(new Set(['cancelled invalid request']));
    const stats = client.stats();
    expect(stats.retries).toBe(0);
    expect(stats.calls.failed).toBe(18);
    for (const e of stats.endpoints) {
      expect(e.failures).toBe(0);
      expect(e.health?.status).toBe('healthy');
    }
    expect(health).toEqual([]);
    expect(a!.requests.length + b!.requests.length).toBe(0);
    // The endpoints still serve valid calls.
    const res = await client.fetch('/ok');
    expect(res.status).toBe(200);
    await res.text();
  });

  it('client.fetch: a classify that says retry does not make an invalid request worth retrying', async () => {
    const [a, b] = await servers(ok(), ok());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url] }));
    const err = await client.fetch('/x', { headers: { 'x-trace': 'a\nb' }, classify: () => 'retry' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(client.stats().attempts).toBe(1);
  });

  it('bulwark/undici: rejects with undici\'s InvalidArgumentError after one attempt, blaming no endpoint', async () => {
    const [a, b] = await servers(ok(), ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin(), health: { maxEjectionPercent: 50 } }));
    for (let i = 0; i < 6; i++) {
      const space = await client.request('/v1/users/john doe').then(() => undefined, (e: unknown) => e);
      expect((space as { code?: string }).code).toBe('UND_ERR_INVALID_ARG');
      const header = await client.request('/x', { headers: { 'x-trace': 'a\nb' } }).then(() => undefined, (e: unknown) => e);
      expect((header as { code?: string }).code).toBe('UND_ERR_INVALID_ARG');
    }
    const stats = client.stats();
    expect(stats.attempts).toBe(12);
    expect(stats.retries).toBe(0);
    for (const e of stats.endpoints) {
      expect(e.failures).toBe(0);
      expect(e.cancelled).toBe(6);
      expect(e.health?.status).toBe('healthy');
    }
    const res = await client.request('/ok');
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });
});
