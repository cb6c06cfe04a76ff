// What broke (bulwark/grpc): an endpoint whose host name does not resolve failed with grpc-js's UNAVAILABLE "Name resolution failed for target …", which was taken for a request that reached a server: its retry drew on the retry budget, and with none left the call failed though a healthy endpoint was there.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcAfterEach } from '../helpers/grpc-servers.js';
import { roundRobin } from '../../src/index.js';

const { servers, echo } = grpcAfterEach();

describe('bulwark/grpc: a name that does not resolve sent nothing', () => {
  it('is retried on another endpoint without the retry budget', async () => {
    const [good] = await servers(1);
    // `.invalid` never resolves (RFC 6761): grpc-js fails the call before any connection.
    const client = echo([good!], { discovery: ['grpc://nothing.invalid:50051', good!.address], picker: roundRobin(), retry: { attempts: 2, budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 1, cap: 1 } }, health: false });
    const attempts: { endpoint: string; reason?: string | undefined }[] = [];
    client.bulwark.on('attempt', (e) => attempts.push({ endpoint: e.endpoint.id, reason: e.reason }));
    // Round-robin's first pick may be either; two calls make sure one starts on the bad name.
    for (let i = 0; i < 2; i++) {
      const answer = await client.say({ text: 'x' }, { timeout: { total: 5_000 } });
      expect(answer).toMatchObject({ text: 'x' });
    }
    expect(attempts.some((a) => a.endpoint.includes('nothing.invalid') && a.reason === 'UNAVAILABLE (not sent)'), JSON.stringify(attempts)).toBe(true);
    expect(client.bulwark.stats().budgetExhausted).toBe(0);
    expect(good!.calls).toBe(2);
  });
});
