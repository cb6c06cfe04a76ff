// client.fetch over Node's own fetch aborts attempts through undici's dispatcher (no
// AbortController per attempt): timeouts, lost hedges and close still reach the server.
import { Agent, Dispatcher1Wrapper } from 'undici';
import { describe, expect, it } from 'vitest';
import { Attempt } from '../../src/call/attempt.js';
import { createClient, roundRobin } from '../../src/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { counts, hang, ok } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

/** Counts reads of `attempt.signal` (each makes an AbortController) while installed. */
function countSignalReads(defer: (fn: () => Promise<void>) => void): { readonly made: number } {
  const original = Object.getOwnPropertyDescriptor(Attempt.prototype, 'signal')!;
  const counter = { made: 0 };
  Object.defineProperty(Attempt.prototype, 'signal', {
    ...original,
    get(this: Attempt<unknown>) {
      counter.made++;
      return original.get!.call(this);
    },
  });
  defer(async () => { Object.defineProperty(Attempt.prototype, 'signal', original); });
  return counter;
}

describe("client.fetch on Node's fetch", () => {
  it('aborts a timed-out attempt through the dispatcher (the server sees it go away) without an AbortController per attempt', async () => {
    const [hung, good] = await servers(hang(), ok());
    // The global dispatcher exists once the process has fetched anything.
    await (await fetch(`${good!.url}/warm`)).text();
    const counter = countSignalReads(defer);
    const client = track(createClient({ name: 'svc', discovery: [hung!.url, good!.url], picker: roundRobin({ random: () => 0 }), timeout: { attempt: 100, total: 5_000 } }));
    const res = await client.fetch('/x');
    expect(res.status).toBe(200);
    await res.text();
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
    for (let i = 0; i < 10; i++) await (await client.fetch('/y')).text();
    expect(counter.made).toBe(0);
  });

  it("goes through the caller's own dispatcher, and still aborts through it", async () => {
    const [hung, good] = await servers(hang(), ok());
    const seen: string[] = [];
    const agent = new Agent().compose((dispatch) => (opts, handler) => {
      seen.push(String(opts.origin));
      return dispatch(opts, handler);
    });
    defer(() => agent.close());
    // Node's fetch passes handlers of undici's older API: an undici 8 dispatcher needs the wrapper.
    const dispatcher = new Dispatcher1Wrapper(agent);
    const client = track(createClient({ name: 'svc', discovery: [hung!.url, good!.url], picker: roundRobin({ random: () => 0 }), timeout: { attempt: 100, total: 5_000 } }));
    const res = await client.fetch('/x', { dispatcher } as never);
    expect(res.status).toBe(200);
    await res.text();
    expect(seen).toEqual([hung!.url, good!.url]);
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
    expect(counts([hung!, good!])).toEqual([1, 1]);
  });

  it('close() aborts attempts in flight through the dispatcher', async () => {
    const [hung] = await servers(hang());
    // The global dispatcher exists once the process has fetched anything (a refused port will do).
    await fetch('http://127.0.0.1:1/').catch(() => undefined);
    const client = createClient({ name: 'svc', discovery: [hung!.url] });
    const pending = client.fetch('/x');
    await until(() => hung!.requests.length === 1);
    await client.close();
    await expect(pending).rejects.toMatchObject({ name: 'ClientClosedError' });
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
  });
});
