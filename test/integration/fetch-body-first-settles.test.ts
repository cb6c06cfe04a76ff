// Guards (lifetime review, 2026-11-28): nothing this session added outlives close()/stop().
// Review (lifetime/counting): a fetch of a Request whose body is read first settles and counts once on every path.
import { describe, expect, it } from 'vitest';
import { ClientClosedError, createClient, TimeoutError } from '../../src/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

function stalled(): { body: ReadableStream<Uint8Array>; cancelled(): boolean } {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) { c.enqueue(new TextEncoder().encode('part')); },
    cancel() { cancelled = true; },
  });
  return { body, cancelled: () => cancelled };
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('fetch of a Request with a body read first', () => {
  it('timeout, abort, a failing body and close(): each call settles once, counted started and failed, no timer left', async () => {
    const [a] = await servers(ok());
    const client = createClient({ name: 'svc', discovery: [a!.url], timeout: { total: 200 } });
    const before = timers();
    const t = stalled();
    const timedOut = client.fetch(new Request(`http://x/`, { method: 'PUT', body: t.body, duplex: 'half' } as RequestInit)).catch((e: unknown) => e);
    const ac = new AbortController();
    const ab = stalled();
    const aborted = client.fetch(new Request(`http://x/`, { method: 'PUT', body: ab.body, duplex: 'half' } as RequestInit), { signal: ac.signal }).catch((e: unknown) => e);
    const broken = new ReadableStream<Uint8Array>({ pull(c) { c.error(new Error('source broke')); } });
    const failed = client.fetch(new Request(`http://x/`, { method: 'PUT', body: broken, duplex: 'half' } as RequestInit)).catch((e: unknown) => e);
    const cl = stalled();
    const closing = client.fetch(new Request(`http://x/`, { method: 'PUT', body: cl.body, duplex: 'half' } as RequestInit), { timeout: { total: 5_000 } }).catch((e: unknown) => e);
    await sleep(20);
    expect(client.stats().calls.inflight).toBe(3);
    ac.abort(new Error('gone'));
    expect(await failed).toBeInstanceOf(TypeError);
    expect(await aborted).toEqual(new Error('gone'));
    expect(await timedOut).toBeInstanceOf(TimeoutError);
    expect(client.stats().calls).toMatchObject({ started: 4, failed: 3, inflight: 1 });
    await client.close();
    expect(await closing).toBeInstanceOf(ClientClosedError);
    expect(client.stats().calls).toMatchObject({ started: 4, succeeded: 0, failed: 4, inflight: 0 });
    await sleep(20);
    expect([t.cancelled(), ab.cancelled(), cl.cancelled()]).toEqual([true, true, true]);
    expect(timers()).toBeLessThanOrEqual(before);
    void track;
  });
});
