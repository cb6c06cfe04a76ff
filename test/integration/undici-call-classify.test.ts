// bulwark/undici's request() validates a per-call `classify` as execute and fetch do: a
// ConfigError naming it, before anything is sent (README, "Per-call options"; docs/undici.md).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';
import { ok } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('request(): an invalid classify', () => {
  it('is refused with ConfigError (path classify) before anything is sent, as execute and fetch refuse it', async () => {
    const [server] = await servers(ok());
    const client = track(createUndiciClient({ name: 'svc', discovery: [server!.url] }));
    // Control: execute and fetch refuse it up front.
    await expect(client.execute(() => 1, { classify: 'retry' as never })).rejects.toMatchObject({ name: 'ConfigError', path: 'classify' });
    await expect(client.fetch('/x', { classify: 'retry' as never })).rejects.toMatchObject({ name: 'ConfigError', path: 'classify' });
    expect(server!.requests.length).toBe(0);

    const error = await client.request('/x', { classify: 'retry' as never }).then(
      async (res) => { await res.body.dump(); return 'resolved'; },
      (err: unknown) => err,
    );
    expect(server!.requests.length).toBe(0);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('classify');
  });
});
