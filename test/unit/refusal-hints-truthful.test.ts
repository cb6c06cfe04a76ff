// What broke (found by the new-user review): three refusals named the wrong cause.
// - A per-call key that is a field of a client option that cannot change live (`clientId` of
//   `subset`, `halfOpenAfter` of `circuitBreaker`, `isFailure` of `health`, …) was "a client
//   option (createClient, reconfigure)", though reconfigure refuses every one of them.
// - `reconfigure({ health: false })` on a client created with `health: false` "cannot turn
//   health tracking on": it turns nothing on.
// - An endpoint's `host` holding userinfo (`user:pw@db.internal`) was refused showing
//   "db.internal", a valid host, as the bad value (the userinfo, the real fault, was hidden).
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client, type LiveOptions } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
function client(options: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  const c = createClient({ name: 'svc', discovery: ['tcp://10.0.0.1:1'], ...options });
  clients.push(c);
  return c;
}
async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('per-call keys of client options', () => {
  const notLive: Record<string, LiveOptions> = {
    clientId: { subset: { size: 1, clientId: 1 } } as never,
    halfOpenAfter: { circuitBreaker: { halfOpenAfter: 1000 } } as never,
    isFailure: { health: { isFailure: () => true } } as never,
    overprovisioning: { health: { overprovisioning: 2 } } as never,
    slowStart: { health: { slowStart: false } } as never,
  };
  for (const [key, document] of Object.entries(notLive)) {
    it(`${key}: named as createClient's only, as reconfigure refuses it`, async () => {
      const c = client();
      const err = await refusal(c.execute(() => 1, { [key]: 1 } as never));
      expect(() => c.reconfigure(document)).toThrow(ConfigError);
      expect(err.message).toMatch(/createClient; it cannot change while the client runs/);
      expect(err.message).not.toMatch(/reconfigure/);
    });
  }

  it('ejectionTime (a live health number) and backoff (of retry) still point to reconfigure, which takes them', async () => {
    const c = client();
    expect((await refusal(c.execute(() => 1, { ejectionTime: 1 } as never))).message).toMatch(/`health.ejectionTime` is a client option \(createClient, reconfigure\)/);
    expect((await refusal(c.execute(() => 1, { budget: false } as never))).message).toMatch(/`retry.budget` is a client option \(createClient, reconfigure\)/);
    c.reconfigure({ health: { ejectionTime: 1_000 }, retry: { budget: false } });
  });
});

describe('a live health document that is no object', () => {
  it('health: false on a client created with health: false: health is already off, no switch either way', () => {
    const c = client({ health: false });
    expect(() => c.reconfigure({ health: false } as never)).toThrow(/health tracking is off \(the client was created with health: false\), and a live document cannot switch it/);
    expect(() => c.reconfigure({ health: true } as never)).toThrow(/cannot turn health tracking on/);
  });

  it('health: false on a client that tracks health cannot switch it off', () => {
    expect(() => client().reconfigure({ health: false } as never)).toThrow(/health tracking is on, and a live document cannot switch it/);
  });
});

describe("an endpoint's host holding userinfo", () => {
  it('is refused for its credentials, not shown as the valid host left without them', () => {
    let err: unknown;
    try {
      createClient({ name: 'svc', discovery: [{ host: 'user:s3cret@db.internal', port: 5432, protocol: 'tcp' }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.path).toBe('discovery[0].host');
    expect(e.message).toMatch(/it holds an `@`, as credentials \(user:password@\) would, so it is not shown/);
    expect(`${e.message} ${String(e.value)}`).not.toMatch(/s3cret|db\.internal/);
  });
});
