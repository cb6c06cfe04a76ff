// What broke (found by the review of user-supplied functions): an update made while the client
// was still reading the one before (an entry's getter that called update) was applied inside
// it, leaving the registry half one set and half the other: an endpoint listed but marked
// removed (half the calls then failed with PluginError from the built-in picker), another gone
// with no `removed` event. Such an update is now applied once the one being read is done.
import { expect, it } from 'vitest';
import { createClient, type Discovery, type EndpointInit } from '../../src/index.js';

it('an update re-entered from an entry getter leaves a consistent set', async () => {
  let push!: (list: readonly EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  const c = createClient({ name: 'svc', discovery });
  const known = new Set<string>();
  c.on('endpoints', (e) => { for (const x of e.added) known.add(x.id); for (const x of e.removed) known.delete(x.id); });
  push(['tcp://10.0.0.1:80', 'tcp://10.0.0.2:80']);
  let reads = 0;
  const lazy = { get host() { if (reads++ === 0) push(['tcp://10.0.0.7:80', 'tcp://10.0.0.2:80']); return '10.0.0.3'; }, port: 80, protocol: 'tcp' };
  push(['tcp://10.0.0.1:80', lazy as unknown as EndpointInit, 'tcp://10.0.0.4:80']);
  await new Promise((r) => setTimeout(r, 10));
  const failures: string[] = [];
  for (let i = 0; i < 30; i++) await c.execute((e) => e.id).catch((e: Error) => failures.push(e.message));
  const listed = c.endpoints().map((e) => e.id).sort();
  await c.close();
  expect(failures).toEqual([]);
  expect([...known].sort()).toEqual(listed);
  // The update made during the other is the latest: it is the set in use.
  expect(listed).toEqual(['tcp://10.0.0.2:80', 'tcp://10.0.0.7:80']);
});

it('an entry getter that updates at every read is cut short, reported, and leaves a consistent set', async () => {
  let push!: (list: readonly EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  const c = createClient({ name: 'svc', discovery });
  const errors: unknown[] = [];
  c.on('discoveryError', (e) => errors.push(e.error));
  let port = 1000;
  const restless = { get host() { push([restless as unknown as EndpointInit]); return '10.0.0.3'; }, get port() { return ++port; }, protocol: 'tcp' };
  push([restless as unknown as EndpointInit]);
  await new Promise((r) => setTimeout(r, 10));
  expect(errors).toHaveLength(1);
  expect(String((errors[0] as Error).message)).toContain('discovery kept updating while its updates were read');
  expect(c.endpoints()).toHaveLength(1);
  expect(await c.execute((e) => e.host)).toBe('10.0.0.3');
  await c.close();
});

// (diff review) The same from an `endpoints` listener, while the picker's update threw: the
// deferred update was dropped with the throw.
it('an update made from an endpoints listener is applied even when the picker update throws', async () => {
  let push!: (list: readonly EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  let n = 0;
  const picker = { name: 'flaky', update() { if (n++ === 1) throw new Error('boom'); }, pick: () => undefined };
  const c = createClient({ name: 'svc', discovery, picker: picker as never });
  c.on('discoveryError', () => {});
  push(['tcp://10.0.0.1:80']);
  await new Promise((r) => setTimeout(r, 5));
  let once = true;
  c.on('endpoints', () => { if (once) { once = false; push(['tcp://10.0.0.9:80']); } });
  push(['tcp://10.0.0.2:80']); // picker.update throws on this one
  await new Promise((r) => setTimeout(r, 5));
  const ids = c.endpoints().map((e) => e.id);
  await c.close();
  // The listener's update is the latest discovery made: it should be the set in use.
  expect(ids).toEqual(['tcp://10.0.0.9:80']);
});

// Same with no throwing picker: control (passes).
