// What broke: a live health.probes on a healthService client was refused blaming a custom check the user never wrote.
// docs/grpc.md (`healthService`): "being a check of every endpoint, it refuses health.probes
// and health.checks.path (a ConfigError naming them)". createGrpcClient names healthService for
// it ("Named here: createClient would blame a custom health.checks.check, which the user did
// not write"); a live document with health.probes must not blame that check either.
import { expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import { loadProtos } from '../helpers/grpc-servers.js';

it('a gRPC client with healthService: a live health.probes is refused naming healthService, not a custom check the user did not write', async () => {
  const { Echo } = loadProtos();
  const users = createGrpcClient(Echo, { name: 'echo', discovery: ['127.0.0.1:1'], healthService: '' });
  try {
    let err: unknown;
    try {
      users.bulwark.reconfigure({ health: { probes: 2 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/healthService/);
    expect((err as Error).message).not.toMatch(/custom health\.checks\.check/);
    expect((err as ConfigError).path).toBe('health.probes');
    // The client keeps working: a document without probes is taken.
    expect(() => users.bulwark.reconfigure({ health: { ejectionTime: 2_000 } })).not.toThrow();
  } finally {
    await users.close();
  }
});
