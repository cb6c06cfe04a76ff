// What broke (bulwark/undici interceptor): the interceptor is the DispatchController of the
// caller's handler and must keep undici's handler contract (undici's Dispatcher.md,
// "DispatchController"). A handler that aborted in onResponseStart of a response that had all
// arrived still got its data and end (as if it had succeeded); `abort()` without a reason (a
// legacy handler's, `pipeline()`'s destroy) gave the handler `undefined`; a handler that paused
// still got the ~64 KiB held before its pause. Now: after abort() only onResponseError with the
// reason (RequestAbortedError when none); pause() stops data until resume().
import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

async function routedAgent(handler: Parameters<typeof servers>[0]) {
  const [a] = await servers(handler);
  const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
  const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
  defer(() => agent.destroy());
  return { agent, server: a! };
}

/** Runs one dispatch; resolves with the events the handler heard once it heard an end or an error (or after 2 s). */
function record(agent: Dispatcher, origin: string, hooks: { start?: (c: Dispatcher.DispatchController) => void; head?: (c: Dispatcher.DispatchController) => void }) {
  const events: string[] = [];
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  agent.dispatch({ origin, path: '/', method: 'GET' }, {
    onRequestStart(c) { hooks.start?.(c); },
    onResponseStart(c, s) { events.push(`head ${s}`); hooks.head?.(c); },
    onResponseData(_c, chunk) { events.push(`data ${chunk.length}`); },
    onResponseEnd() { events.push('end'); finish(); },
    onResponseError(_c, e) { events.push(`error ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`); finish(); },
  });
  return Promise.race([done, sleep(2_000)]).then(async () => { await sleep(50); return events; });
}

describe('interceptor: the dispatch controller keeps undici\'s handler contract', () => {
  it('a handler that aborts in onResponseStart hears onResponseError with its reason, and no data or end (as undici does)', async () => {
    const { agent, server } = await routedAgent(ok());
    const reason = 'Error: not this one';
    // Plain undici, same server: [ 'head 200', 'error Error: not this one' ].
    const plain = await record(agent, server.url, { head: (c) => c.abort(new Error('not this one')) });
    expect(plain).toEqual(['head 200', `error ${reason}`]);
    const routed = await record(agent, 'http://svc.internal', { head: (c) => c.abort(new Error('not this one')) });
    expect(routed).toEqual(['head 200', `error ${reason}`]);
  });

  it('controller.abort() without a reason (a legacy onConnect abort()) ends the request with RequestAbortedError, not undefined', async () => {
    const { agent, server } = await routedAgent(ok(200));
    const legacy = (origin: string) => new Promise<unknown>((resolve) => {
      agent.dispatch({ origin, path: '/', method: 'GET' }, {
        // undici's types: onConnect?(abort: (err?: Error) => void): the reason is optional.
        onConnect(abort: (err?: Error) => void) { setTimeout(() => abort(), 20); },
        onHeaders() { return true; },
        onData() { return true; },
        onComplete() { resolve('complete'); },
        onError(e: unknown) { resolve(e); },
      } as unknown as Dispatcher.DispatchHandler);
    });
    const plain = await legacy(server.url);
    expect((plain as { code?: string }).code).toBe('UND_ERR_ABORTED');
    const routed = await legacy('http://svc.internal');
    expect(routed).toBeInstanceOf(Error);
    expect((routed as { code?: string }).code).toBe('UND_ERR_ABORTED');
  });

  it('a handler that pauses in onResponseStart gets no data until it resumes (as undici)', async () => {
    const big = Buffer.alloc(2_000_000, 'x');
    const { agent, server } = await routedAgent((req, res) => { req.resume(); res.writeHead(200, { 'content-length': String(big.length) }); res.end(big); });
    const run = async (origin: string) => {
      let received = 0;
      let controller!: Dispatcher.DispatchController;
      let ended = false;
      agent.dispatch({ origin, path: '/', method: 'GET' }, {
        onRequestStart(c) { controller = c; },
        onResponseStart(c) { c.pause(); },
        onResponseData(_c, chunk) { received += chunk.length; },
        onResponseEnd() { ended = true; },
        onResponseError() {},
      });
      await sleep(300);
      const whilePaused = received;
      controller.resume();
      for (let i = 0; i < 100 && !ended; i++) await sleep(20);
      return { whilePaused, received, ended };
    };
    expect(await run(server.url)).toEqual({ whilePaused: 0, received: big.length, ended: true });
    expect(await run('http://svc.internal')).toEqual({ whilePaused: 0, received: big.length, ended: true });
  });
});
