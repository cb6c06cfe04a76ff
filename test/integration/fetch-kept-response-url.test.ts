// What broke: when client.fetch resolved with a retried 503 whose body had been released (the retry got no response), `res.url` was '' (and `res.redirected` false after a followed 303): a caller logging where the answer came from saw nothing.
// fetch sets `url` to the URL the response came from; a kept response is that response without
// its body, so it keeps where it came from. Real node:http servers on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { closedPort } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('client.fetch resolving with a retried 503 whose body was released', () => {
  it('keeps the url it came from', async () => {
    const [bad] = await servers((req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
    });
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [bad!.url, dead], picker: roundRobin({ random: () => 0 }), retry: { attempts: 2 }, health: false }));
    const res = await client.fetch('/items/7?q=1');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
    // Was: ''.
    expect(res.url).toBe(`${bad!.url}/items/7?q=1`);
    expect(res.redirected).toBe(false);
  });
});
