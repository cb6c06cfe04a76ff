// The wrapper clients (`createUndiciClient`, `createGrpcClient`'s `.bulwark`) returned another
// promise to a close() made while close() ran (from an `attempt` listener of a call it ended)
// than to the first and later ones: `#closing ??= super.close()…` was assigned only after the
// base close had run the listeners. Every close() of a client returns the same promise (README,
// "close()").
import { expect, it } from 'vitest';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { grpcAfterEach } from '../helpers/grpc-servers.js';
import { hang } from '../helpers/servers.js';

const { servers } = closeAfterEach();
const grpcs = grpcAfterEach();

it('createUndiciClient: a close() from an `attempt` listener during close() returns the same promise', async () => {
  const [a] = await servers(hang());
  const client = createUndiciClient({ name: 'u', discovery: [a!.url] });
  const pending = client.request('/x').catch(() => undefined);
  await until(() => a!.requests.length === 1);
  let nested: Promise<void> | undefined;
  client.on('attempt', () => { nested = client.close(); });
  const first = client.close();
  await first;
  await pending;
  expect(nested).toBe(first);
  expect(client.close() === first).toBe(true);
});

it('createGrpcClient: a close() from an `attempt` listener during close() returns the same promise', async () => {
  const list = await grpcs.servers(1);
  list[0]!.say = () => {}; // never answers
  const client = grpcs.echo(list);
  const pending = client.say({ text: 'x' }).catch(() => undefined);
  await until(() => list[0]!.calls === 1);
  let nested: Promise<void> | undefined;
  client.bulwark.on('attempt', () => { nested = client.bulwark.close(); });
  const first = client.bulwark.close();
  await first;
  await pending;
  expect(nested).toBe(first);
  expect(client.close() === first).toBe(true);
});
