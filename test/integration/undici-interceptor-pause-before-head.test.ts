// What broke (bulwarkInterceptor; follow-up of e228d9a, "pause() stops data until resume()"): a
// pause given before the response head (in onRequestStart) never reached the attempt's undici
// controller (the routed call had no attempt yet), and once the response was forwarded its chunks
// were held in memory without pausing the socket: plain undici stops reading (backpressure);
// routed, a 64 MiB body was read whole into memory while the handler stayed paused.
import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

const { track, servers, defer } = closeAfterEach();
const BODY = 64 * 1024 * 1024;

describe('interceptor: a pause before the response head', () => {
  it('keeps backpressure: the socket is not read past what undici itself reads while the handler is paused', async () => {
    let written = 0;
    const [a] = await servers((req, res) => {
      req.resume();
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (written < BODY) {
          written += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
    });
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.destroy());
    const run = async (origin: string) => {
      written = 0;
      let received = 0;
      let controller!: Dispatcher.DispatchController;
      agent.dispatch({ origin, path: '/', method: 'GET' }, {
        onRequestStart(c) { controller = c; c.pause(); },
        onResponseStart() {},
        onResponseData(_c, chunk) { received += chunk.length; },
        onResponseEnd() {},
        onResponseError() {},
      });
      await sleep(500);
      const seen = { serverWroteAll: written >= BODY, received };
      controller.abort(new Error('done'));
      await sleep(50);
      return seen;
    };
    // Plain undici: the server's writes stall (≈ 4 MB in socket buffers), nothing delivered.
    expect(await run(a!.url)).toEqual({ serverWroteAll: false, received: 0 });
    // Routed: all 64 MB are read and held in memory while the handler is paused.
    expect(await run('http://svc.internal')).toEqual({ serverWroteAll: false, received: 0 });
  });
});
