// What broke (found by the undici review): through the interceptor, interim responses (103
// Early Hints, 1xx) never reach the caller's handler (a response is held until the pipeline has
// judged it), while through the request transport or the bare Agent they do; nothing said so.
// README now says it; this pins what it says, and the request transport's behaviour.
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import type { Handler } from '../helpers/servers.js';

const { track, servers, defer } = closeAfterEach();

const earlyHints: Handler = (req, res) => {
  req.resume();
  res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
  setTimeout(() => res.end('ok'), 20);
};

describe('a 103 Early Hints before the response', () => {
  it('reaches onInfo through the request transport (control)', async () => {
    const [a] = await servers(earlyHints);
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url] }));
    const infos: number[] = [];
    const res = await client.request('/x', { onInfo: (info) => infos.push(info.statusCode) });
    await res.body.text();
    expect(infos).toEqual([103]);
  });

  it('does not reach onInfo through the interceptor (README), though it does through the bare Agent', async () => {
    const [a] = await servers(earlyHints);
    const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    defer(() => agent.close());
    const direct: number[] = [];
    await (await request(`${a!.url}/x`, { dispatcher: agent, onInfo: (info) => direct.push(info.statusCode) })).body.text();
    expect(direct).toEqual([103]);
    const routed: number[] = [];
    expect(await (await request('http://svc.internal/x', { dispatcher: agent, onInfo: (info) => routed.push(info.statusCode) })).body.text()).toBe('ok');
    expect(routed).toEqual([]);
  });
});
