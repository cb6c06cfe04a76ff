// What broke: pool options undici refuses for each connection (`keepAliveTimeout: -1`, the old `idleTimeout` name undici says to rename, …) passed createUndiciClient, whose docs promise a ConfigError at creation, and then failed every request in production with undici's InvalidArgumentError; `pipelining: -1`, which undici takes, made every request hang.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

// Options of each connection (undici's Client, which a Pool makes lazily, on the first request),
// all refused by undici; and pipelining values undici takes but sends nothing with.
const refused: Record<string, unknown>[] = [
  { keepAliveTimeout: -1 },
  { headersTimeout: 'soon' },
  { bodyTimeout: -3 },
  { maxResponseSize: -5 },
  { idleTimeout: 5_000 }, // undici: "unsupported idleTimeout, use keepAliveTimeout instead"
  { pipelining: -1 },
  { pipelining: 1.5 },
];

describe('createUndiciClient with pool options undici refuses for each connection', () => {
  for (const pool of refused) {
    it(`pool ${JSON.stringify(pool)} is refused at creation with ConfigError (path pool), not on every request`, async () => {
      const [server] = await servers(ok());
      let created: ReturnType<typeof createUndiciClient> | undefined;
      let thrown: unknown;
      try {
        created = track(createUndiciClient({ name: 'svc', discovery: [server!.url], pool: pool as never }));
      } catch (err) {
        thrown = err;
      }
      if (created !== undefined) {
        // Before: creation passed and the request was what failed, with undici's error (or hung, for pipelining).
        const outcome = await created.request('/x', { timeout: { total: 500 } }).then((r) => { void r.body.dump(); return `status ${r.statusCode}`; }, (e: Error) => `${e.name}: ${e.message}`);
        expect.fail(`createUndiciClient accepted pool ${JSON.stringify(pool)}; the first request then gave: ${outcome}`);
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).path).toBe('pool');
    });
  }

  it("names undici's reason, and shows only numbers and booleans of the options", () => {
    const err = (() => {
      try {
        createUndiciClient({ name: 'svc', discovery: ['http://10.0.0.1:8080'], pool: { idleTimeout: 5_000, connect: { ca: 'PRIVATE' } } as never });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('accepted');
    })();
    expect(err.message).toContain('use keepAliveTimeout instead');
    expect(err.message).not.toContain('PRIVATE');
    expect(err.value).toEqual({ idleTimeout: 5_000, connect: '(hidden)' });
  });

  it('accepted options leave nothing behind (no socket, no timer) and still work', async () => {
    const [server] = await servers(ok());
    const before = process.getActiveResourcesInfo().length;
    for (let i = 0; i < 20; i++) {
      await createUndiciClient({ name: 'svc', discovery: ['http://10.0.0.1:8080'], pool: { connections: 4, pipelining: 0, keepAliveTimeout: 1_000, headersTimeout: 5_000, allowH2: true, connect: { rejectUnauthorized: true } } }).close();
    }
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(before);
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url], pool: { pipelining: 0, keepAliveTimeout: 1_000 } }));
    const res = await client.request('/x');
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });
});
