// What broke: a fetch of a Request with a body made after close() (or with its signal already aborted) counted in stats().calls as a started and failed call, while every other call refused that way (execute, fetch of a path or of a body-less Request) is not counted at all.
import { expect, it } from 'vitest';
import { ClientClosedError, createClient } from '../../src/index.js';

it('calls refused because the client is closed are counted alike, whatever their input', async () => {
  const client = createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'] });
  await client.close();
  const before = client.stats().calls;
  await expect(client.execute(() => 'x')).rejects.toBeInstanceOf(ClientClosedError);
  await expect(client.fetch('/v1/users')).rejects.toBeInstanceOf(ClientClosedError);
  await expect(client.fetch(new Request('http://users/v1/users', { method: 'POST', body: 'a' }), { idempotent: true })).rejects.toBeInstanceOf(ClientClosedError);
  await expect(client.fetch(new Request('http://users/v1/users', { method: 'POST', body: 'b' }))).rejects.toBeInstanceOf(ClientClosedError);
  expect(client.stats().calls).toEqual(before);
});

it('a call whose signal is already aborted is not counted, whatever its input', async () => {
  const client = createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'] });
  const signal = AbortSignal.abort(new Error('gone'));
  const before = client.stats().calls;
  await expect(client.execute(() => 'x', { signal })).rejects.toThrow('gone');
  await expect(client.fetch('/v1/users', { signal })).rejects.toThrow('gone');
  await expect(client.fetch(new Request('http://users/v1/users', { method: 'POST', body: 'a' }), { signal, idempotent: true })).rejects.toThrow('gone');
  expect(client.stats().calls).toEqual(before);
  await client.close();
});
