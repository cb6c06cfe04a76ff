// client.fetch read only `init`'s own properties, where fetch reads a RequestInit member by
// member, inherited ones included: an init made with Object.create(defaults) lost its inherited
// method and headers, and the call failed with "Request with GET/HEAD method cannot have body"
// where plain fetch sends a POST.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createClient } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

const seen: { method: string; body: string; token: string | undefined }[] = [];
function record(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => { body += c; });
  req.on('end', () => { seen.push({ method: req.method ?? '', body, token: req.headers['x-token'] as string | undefined }); res.end('ok'); });
}

describe('client.fetch reads init as fetch does', () => {
  it('members an init inherits from its prototype are sent, as plain fetch sends them', async () => {
    seen.length = 0;
    const [server] = await servers(record);
    const defaults: RequestInit = { method: 'POST', headers: { 'x-token': 't1' } };
    const init = Object.create(defaults) as RequestInit;
    init.body = 'payload';

    await (await fetch(`${server!.url}/plain`, init)).text();
    const client = track(createClient({ name: 'svc', discovery: [server!.url] }));
    // Today this rejects: TypeError 'Request with GET/HEAD method cannot have body.'
    await (await client.fetch('/bulwark', init)).text();

    expect(seen[0]).toEqual({ method: 'POST', body: 'payload', token: 't1' }); // plain fetch
    expect(seen[1]).toEqual(seen[0]);
  });
});
