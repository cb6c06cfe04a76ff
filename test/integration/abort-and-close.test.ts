import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, type Discovery } from '../../src/index.js';
import { hang, ok, startServers } from '../helpers/servers.js';
import { FakeClock } from '../helpers/fake-clock.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe("the caller's abort", () => {
  it('rejects at once with the reason, and the server sees the request go away', async () => {
    const servers = await startServers([hang()]);
    cleanups.push(() => servers.closeAll());
    const client = createClient({ name: 'svc', discovery: [servers[0]!.url] });
    cleanups.push(() => client.close());
    const controller = new AbortController();
    const pending = client.fetch('/x', { signal: controller.signal });
    while (servers[0]!.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const reason = new Error('user went away');
    const started = performance.now();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    // At once: the server never answers, and the timeouts are seconds away.
    expect(performance.now() - started).toBeLessThan(500);
    for (let i = 0; i < 100 && servers[0]!.aborted === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(servers[0]!.aborted).toBe(1);
    expect(client.stats().calls.inflight).toBe(0);
  });

  it('aborting after the headers arrived stops the body, as with plain fetch', async () => {
    const servers = await startServers([(req, res) => { req.resume(); res.writeHead(200); res.write('first chunk'); }]);
    cleanups.push(() => servers.closeAll());
    const client = createClient({ name: 'svc', discovery: [servers[0]!.url] });
    cleanups.push(() => client.close());
    const controller = new AbortController();
    const res = await client.fetch('/stream', { signal: controller.signal });
    const reading = res.text();
    const reason = new Error('enough');
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
    for (let i = 0; i < 100 && servers[0]!.aborted === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(servers[0]!.aborted).toBe(1);
  });

  it('an already-aborted signal rejects without sending anything', async () => {
    const servers = await startServers([ok()]);
    cleanups.push(() => servers.closeAll());
    const client = createClient({ name: 'svc', discovery: [servers[0]!.url] });
    cleanups.push(() => client.close());
    const reason = new DOMException('stop', 'AbortError');
    await expect(client.fetch('/x', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(client.execute(async () => 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(servers[0]!.requests.length).toBe(0);
  });

  it('many calls sharing one signal add one listener to it, and all end when it aborts', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'] });
    cleanups.push(() => client.close());
    const shared = new AbortController();
    const pending = Array.from({ length: 200 }, () => client.execute(() => new Promise(() => {}), { signal: shared.signal }));
    await client.execute(async () => 'done', { signal: shared.signal });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    shared.abort('shutting down');
    const results = await Promise.allSettled(pending);
    expect(results.every((r) => r.status === 'rejected' && r.reason === 'shutting down')).toBe(true);
    expect(client.stats().calls.inflight).toBe(0);
  });

  it('aborting during the backoff sleep ends the call', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1'], retry: { backoff: { base: 5_000, cap: 5_000 }, budget: false } });
    cleanups.push(() => client.close());
    const controller = new AbortController();
    client.on('retry', () => setTimeout(() => controller.abort('stop'), 10));
    await expect(client.execute(async () => { throw new Error('boom'); }, { signal: controller.signal })).rejects.toBe('stop');
  });
});

describe('close()', () => {
  it('waits at most 10 s for a discovery stop that never settles, then reports it and resolves', async () => {
    const clock = new FakeClock();
    const stuck: Discovery = { watch: (update) => { update(['127.0.0.1:1']); return () => new Promise<void>(() => {}); } };
    const client = createClient({ name: 'svc', discovery: stuck, clock });
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    let closed = false;
    const closing = client.close().then(() => { closed = true; });
    await clock.advance(9_999);
    expect(closed).toBe(false);
    await clock.advance(1);
    await closing;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_BULWARK_DISCOVERY', service: 'svc' });
    expect(String((errors[0] as Error).message)).toContain('did not stop within 10 s');
    expect(clock.pending).toBe(0);
  });

  it('settles every call started before it, and rejects later ones', async () => {
    const servers = await startServers([hang()]);
    cleanups.push(() => servers.closeAll());
    const client = createClient({ name: 'svc', discovery: [servers[0]!.url] });
    const inFlight = client.fetch('/x');
    const executing = client.execute((_e, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    const sleeping = client.execute(async () => { throw new Error('again'); });
    let waiting: Promise<unknown> | undefined;
    const never: Discovery = { watch: () => () => {} };
    const unresolved = createClient({ name: 'later', discovery: never });
    waiting = unresolved.fetch('/x');
    while (servers[0]!.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await Promise.all([client.close(), unresolved.close()]);
    const results = await Promise.allSettled([inFlight, executing, sleeping, waiting]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ClientClosedError);
    }
    await expect(client.fetch('/x')).rejects.toBeInstanceOf(ClientClosedError);
    await expect(client.execute(async () => 1)).rejects.toMatchObject({ code: 'ERR_BULWARK_CLIENT_CLOSED', service: 'svc' });
    expect(client.stats().closed).toBe(true);
  });

  it('ends a call that was between two attempts when close() came', async () => {
    const client = createClient({ name: 'svc', discovery: ['127.0.0.1:1', '127.0.0.1:2'], retry: { budget: false } });
    let attempts = 0;
    // The attempt event fires after an attempt ended and before the call decides to retry.
    client.on('attempt', () => { attempts++; void client.close(); });
    await expect(client.execute(async () => { throw new Error('boom'); })).rejects.toBeInstanceOf(ClientClosedError);
    expect(attempts).toBe(1);
  });

  it('stops the discovery watch and awaits its stop function', async () => {
    let stopped = false;
    const discovery: Discovery = {
      watch(update) {
        update(['127.0.0.1:8080']);
        return async () => { await new Promise((r) => setTimeout(r, 20)); stopped = true; };
      },
    };
    const client = createClient({ name: 'svc', discovery });
    await client.close();
    expect(stopped).toBe(true);
  });

  it('ends the calls in flight at once, even while a config source or a discovery takes long to stop; a failing config stop is an event, not a rejection', async () => {
    const servers = await startServers([ok(1_000)]);
    cleanups.push(() => servers.closeAll());
    const slowStop = (): Promise<void> => new Promise((r) => setTimeout(r, 1_500));
    const discovery: Discovery = { watch(update) { update([servers[0]!.url]); return slowStop; } };
    const client = createClient({ name: 'svc', discovery });
    client.watchConfig({ watch(update) { update({ timeout: { attempt: 5_000 } }); return slowStop; } });
    client.watchConfig({ watch() { return () => Promise.reject(new Error('stop failed')); } });
    const rejected: unknown[] = [];
    client.on('configRejected', (e) => rejected.push(e.error));
    const call = client.fetch('/x').then(() => 'resolved', (e: unknown) => e);
    while (servers[0]!.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    const closed = client.close();
    // The call ends with ClientClosedError right away, not when the server answers (1 s)
    // or when the sources have stopped (1.5 s).
    expect(await call).toBeInstanceOf(ClientClosedError);
    expect(performance.now() - started).toBeLessThan(500);
    await expect(closed).resolves.toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_490);
    expect(rejected).toEqual([new Error('stop failed')]);
  });

  it('lets a script that used the client exit by itself', async () => {
    const servers = await startServers([ok(5), hang()]);
    cleanups.push(() => servers.closeAll());
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-exit-'));
    const script = join(dir, 'script.mjs');
    const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    await writeFile(script, `
      import { createClient } from ${JSON.stringify(entry)};
      const client = createClient({ name: 'svc', discovery: [${JSON.stringify(servers[0]!.url)}, ${JSON.stringify(servers[1]!.url)}], timeout: { attempt: 200 } });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.fetch('/x').then((r) => r.text())));
      const pending = client.fetch('/x');
      await client.close();
      const last = await pending.then(() => 'resolved', (e) => e.code);
      console.log(JSON.stringify({ ok: results.filter((r) => r.status === 'fulfilled').length, last }));
    `);
    const started = performance.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    const result = JSON.parse(out) as { ok: number; last: string };
    expect(result.ok).toBe(20);
    expect(['resolved', 'ERR_BULWARK_CLIENT_CLOSED']).toContain(result.last);
    // It exited on its own: long before the 10 s attempt timeout or any keep-alive would have ended.
    expect(performance.now() - started).toBeLessThan(8_000);
  });
});
