// What broke: `await registration.unregister()` resolves while the discovery's stop (begun when the last grpc-js channel closed) is still running, so discovery outlives unregister().
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import type { Discovery, EndpointInit } from '../../src/index.js';
import { registerGrpcResolver } from '../../src/grpc/index.js';
import type { EchoClient, SayReply__Output } from '../fixtures/grpc/echo-client.js';
import { loadProtos, startGrpcServers } from '../helpers/grpc-servers.js';
import { until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function say(client: EchoClient): Promise<SayReply__Output> {
  return new Promise((resolve, reject) => client.say({ text: 'x' }, (err, value) => (err ? reject(err) : resolve(value!))));
}

it('unregister() waits for a discovery stop that the last channel closing began', async () => {
  const { servers, stop } = await startGrpcServers(1);
  cleanups.push(stop);
  let stopCalled = false;
  let stopFinished = false;
  // A discovery whose stop takes a moment (an etcd watch being cancelled, a Consul request being aborted).
  const discovery: Discovery = {
    watch(update: (list: readonly EndpointInit[]) => void) {
      queueMicrotask(() => update([servers[0]!.address]));
      return async () => {
        stopCalled = true;
        await new Promise((resolve) => setTimeout(resolve, 300));
        stopFinished = true;
      };
    },
  };
  const registration = registerGrpcResolver('review-close-unregister', discovery);
  cleanups.push(() => registration.unregister());
  const client = new Echo(registration.target, grpc.credentials.createInsecure());
  await say(client);
  // The last channel goes: the bridge starts stopping the discovery.
  client.close();
  await until(() => stopCalled);
  // The owner now unregisters the name (shutting down) and expects discovery to be stopped when this resolves.
  await registration.unregister();
  expect(stopFinished).toBe(true);
});
