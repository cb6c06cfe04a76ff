// What broke: discovery events held back a microtask during createClient (the static list's `endpoints`, a throwing watch's `discoveryError`) still reach listeners after close() was called, although every other discovery event is dropped once the client is closed.
import { expect, it } from 'vitest';
import { createClient, type Discovery } from '../../src/index.js';
import { settle } from '../helpers/fake-clock.js';

it('a client closed right after createClient announces no endpoint set after close()', async () => {
  const client = createClient({ name: 'users', discovery: ['http://10.0.0.1:8080', 'http://10.0.0.2:8080'] });
  const heard: string[] = [];
  client.on('endpoints', () => heard.push('endpoints'));
  const closing = client.close();
  heard.push('close() called');
  await settle();
  await closing;
  expect(heard).toEqual(['close() called']);
});

it('a client closed right after createClient reports no discoveryError after close()', async () => {
  const broken: Discovery = { watch: () => { throw new Error('registry unreachable'); } };
  const client = createClient({ name: 'users', discovery: broken });
  const heard: string[] = [];
  client.on('discoveryError', () => heard.push('discoveryError'));
  const closing = client.close();
  heard.push('close() called');
  await settle();
  await closing;
  expect(heard).toEqual(['close() called']);
});
