// Closing a bulwark/grpc client while its gRPC health check was in flight threw an uncaught
// exception (ending a process without a handler) when cancelling the check's call threw (a client
// interceptor's `cancel`): the check's abort listener called grpc-js unguarded. The check now
// ends quietly.
import * as grpc from '@grpc/grpc-js';
import { createServer, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { createGrpcClient } from '../../src/grpc/index.js';
import { loadProtos } from '../helpers/grpc-servers.js';
import { sleep, until } from '../helpers/lifecycle.js';

const { Echo } = loadProtos();

it('close() while a gRPC health check is in flight throws nothing uncaught, even when cancelling its call throws', async () => {
  // A TCP server that accepts and never speaks HTTP/2: the check's call stays pending.
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); s.on('error', () => {}); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => { uncaught.push(err); };
  process.on('uncaughtException', onUncaught);
  try {
    let started = 0;
    const broken: grpc.Interceptor = (options, next) => new grpc.InterceptingCall(next(options), {
      start: (metadata, listener, go) => { started++; go(metadata, listener); },
      cancel: () => { throw new Error('interceptor cancel failed'); },
    });
    const client = createGrpcClient(Echo, {
      name: 'echo', discovery: [`127.0.0.1:${port}`], callOptions: { interceptors: [broken] },
      healthService: '', health: { checks: { interval: 20, timeout: 60_000 } },
    });
    await until(() => started >= 1 && sockets.length >= 1);
    const outcome = await Promise.race([
      client.close().then(() => 'resolved', (err: unknown) => `rejected: ${String(err)}`),
      sleep(5_000).then(() => 'still pending after 5 s'),
    ]);
    await sleep(50); // an exception thrown by an abort listener surfaces on a later tick
    expect(outcome).toBe('resolved');
    expect(uncaught.map(String)).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
