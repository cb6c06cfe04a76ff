// What broke: registerGrpcResolver keeps a process-wide entry (with the options' onError/onRejected closures) for every name ever registered, after unregister() too, so registering per-tenant or per-deployment names over weeks grows without bound.
import { queryObjects } from 'node:v8';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { registerGrpcResolver } from '../../src/grpc/index.js';
import { Source } from '../../src/grpc/resolver-source.js';
import type { EchoClient, SayReply__Output } from '../fixtures/grpc/echo-client.js';
import { loadProtos, startGrpcServers } from '../helpers/grpc-servers.js';
import { until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();

function say(client: EchoClient): Promise<SayReply__Output> {
  return new Promise((resolve, reject) => client.say({ text: 'x' }, (err, value) => (err ? reject(err) : resolve(value!))));
}

/** A closure the user passes as onError, holding something big of the user's (a logger, a request context). */
class UserContext {
  readonly buffer = new Uint8Array(1024);
}

/** In a frame of its own, which is gone when it returns (the last iteration's locals with it). */
async function registerAndUnregister(names: number): Promise<void> {
  for (let i = 0; i < names; i++) {
    const context = new UserContext();
    const registration = registerGrpcResolver(`tenant-${i}.names-forgotten`, ['127.0.0.1:1'], { onError: () => void context });
    await registration.unregister();
  }
}

describe('registerGrpcResolver names after unregister', () => {
  it('leave nothing behind: 2 000 names registered and unregistered hold no source and none of the user\'s options', async () => {
    const before = queryObjects(Source as never, { format: 'count' }) as number;
    const contextsBefore = queryObjects(UserContext as never, { format: 'count' }) as number;
    await registerAndUnregister(2_000);
    const sources = (queryObjects(Source as never, { format: 'count' }) as number) - before;
    const contexts = (queryObjects(UserContext as never, { format: 'count' }) as number) - contextsBefore;
    // grpc-js's own resolver registry is keyed by scheme, with nothing per target; a name that is
    // unregistered and has no channel on it has nothing left to deliver.
    expect(contexts).toBe(0);
    expect(sources).toBeLessThan(10);
  });
});

describe('a name forgotten and used again', () => {
  it('a channel kept across unregister follows the next registration; one made after the last channel closed resolves afresh', async () => {
    const { servers, stop } = await startGrpcServers(2);
    const channels: EchoClient[] = [];
    try {
      const first = registerGrpcResolver('names-forgotten-reuse', [servers[0]!.address]);
      const kept = new Echo(first.target, grpc.credentials.createInsecure());
      channels.push(kept);
      await say(kept);
      await first.unregister();
      // Registered again, elsewhere: the channel still on the name is given the new set.
      const second = registerGrpcResolver('names-forgotten-reuse', [servers[1]!.address]);
      await until(async () => (await say(kept).catch(() => undefined), servers[1]!.calls > 0), 5_000);
      kept.close();
      await second.unregister();
      // Nothing on the name now: a new registration and a new channel start from nothing.
      const third = registerGrpcResolver('names-forgotten-reuse', [servers[0]!.address]);
      const fresh = new Echo(third.target, grpc.credentials.createInsecure());
      channels.push(fresh);
      const before = servers[0]!.calls;
      await say(fresh);
      expect(servers[0]!.calls).toBe(before + 1);
      fresh.close();
      await third.unregister();
    } finally {
      for (const c of channels) c.close();
      await stop();
    }
  });
});
