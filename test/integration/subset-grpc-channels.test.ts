// What broke: a gRPC client with `subset` keeps the channel (and its connection) of every endpoint that was ever in its subset, as long as discovery still lists it, so subsets shifting as the fleet grows end in one channel per endpoint — the N × M connections subsetting exists to avoid.
import { describe, expect, it } from 'vitest';
import type { EndpointInit } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import { loadProtos, startGrpcServers } from '../helpers/grpc-servers.js';

describe('gRPC channels of endpoints that left this client\'s subset', () => {
  it('are closed, so open channels stay within the subset size while the fleet grows', async () => {
    const { Echo } = loadProtos();
    const { servers, stop } = await startGrpcServers(24);
    let open = 0;
    // The user's generated client class, counting the channels bulwark opens and closes with it.
    class Counting extends (Echo as unknown as new (...args: any[]) => any) {
      constructor(...args: any[]) { super(...args); open++; }
      close(): void { open--; super.close(); }
    }
    let push: (list: readonly EndpointInit[]) => void = () => {};
    const client = createGrpcClient(Counting as unknown as typeof Echo, {
      name: 'echo',
      discovery: { watch(update) { push = update; return () => {}; } },
      subset: { size: 2, clientId: 0 },
    });
    try {
      const list: string[] = [];
      // Endpoints this client's subset has held at some point (ids depend on the ports, so how
      // soon the subset moves varies: the fleet grows until it has moved a few times).
      const everInSubset = new Set<string>();
      // The fleet scales out one instance at a time; none is removed. After each step this client
      // makes calls, which reach (and open channels to) the endpoints of its current subset only.
      for (const s of servers) {
        if (everInSubset.size >= 6) break;
        list.push(s.address);
        push([...list]);
        for (let c = 0; c < 6; c++) await client.say({ text: 'x' });
        const inSubset = client.bulwark.stats().endpoints.filter((e) => e.health !== undefined);
        expect(inSubset.length).toBeLessThanOrEqual(2);
        for (const e of inSubset) everInSubset.add(e.id);
      }
      // README, "Subsetting": a client uses `size` endpoints, so that N clients do not hold N × M
      // connections. A channel of an endpoint that left the subset serves no call of this client
      // again (its running calls aside, none here): it should go, as it does when discovery removes it.
      expect(everInSubset.size).toBeGreaterThan(2);
      expect(open).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
      await stop();
    }
  });
});
