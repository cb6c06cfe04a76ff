// What broke: README, "Live configuration": discovery, picker, health checks … "is refused with a
// ConfigError: create a new client for those". A user who does that (close the old client,
// create a new one from the same options object, picker included) is refused because the
// closed client still holds the picker.
import { describe, expect, it } from 'vitest';
import { createClient, peakEwma, type ClientOptions } from '../../src/index.js';
import { ok } from '../helpers/servers.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('a picker whose client was closed', () => {
  it('can be given to the client that replaces it', async () => {
    const [a, b] = await servers(ok(), ok());
    const options: ClientOptions = { name: 'users', discovery: [a!.url, b!.url], picker: peakEwma() };
    const first = createClient(options);
    expect((await first.fetch('/x')).status).toBe(200);
    await first.close();
    // Replace the client to turn on health checks (which reconfigure refuses to change live).
    const second = track(createClient({ ...options, health: { checks: { interval: 60_000 } } }));
    const res = await second.fetch('/x');
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
