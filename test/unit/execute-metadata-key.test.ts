import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client } from '../../src/index.js';

// What broke: README says `execute` refuses any key that is not a per-call option, but
// `execute(fn, { metadata })` was accepted and the metadata silently dropped: `metadata` (a
// bulwark/grpc call's request metadata) was accepted for every call that takes execute-style
// options. Now only gRPC calls accept it; `execute` refuses it with a ConfigError naming it,
// before `fn` runs.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('execute options', () => {
  it('refuses `metadata` (a gRPC call option) with a ConfigError naming it, before fn runs', async () => {
    const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80'] });
    clients.push(client);
    let ran = 0;
    const call = client.execute(() => ++ran, { metadata: { 'x-user': '42' } } as never);
    await expect(call).rejects.toBeInstanceOf(ConfigError);
    await expect(call).rejects.toMatchObject({ path: 'metadata' });
    expect(ran).toBe(0);
    // What stats() counts: a call refused for its options never started.
    expect(client.stats().calls.started).toBe(0);
  });
});
