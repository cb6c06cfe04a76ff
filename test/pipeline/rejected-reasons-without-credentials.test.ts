// What broke (found by the review of user-supplied functions): the entry of an
// `endpointRejected` event was shown without credentials, but its reason was passed on as the
// discovery wrote it (`record http://admin:hunter2@… is draining`). And a metadata key that is a
// URL with credentials (a bad entry) was echoed whole in ConfigError's message and path, and in
// endpointRejected's reason. Both now show such URLs without their userinfo.
import { expect, it } from 'vitest';
import { createClient, type Discovery } from '../../src/index.js';

it('endpointRejected.reason carries no URL credentials', async () => {
  const raw = 'http://admin:hunter2@10.0.0.9:80';
  const discovery: Discovery = {
    watch(update, _error, rejected) {
      update(['10.0.0.1:80']);
      setTimeout(() => rejected(raw, `record ${raw} is marked draining; so is http://u:pa/ss@10.0.0.8:80 and http://user:p@ss@10.0.0.7:80`), 1);
      return () => {};
    },
  };
  const c = createClient({ name: 'svc', discovery });
  const events: { entry: unknown; reason: string }[] = [];
  c.on('endpointRejected', (e) => events.push(e));
  await new Promise((r) => setTimeout(r, 50));
  await c.close();
  expect(events).toHaveLength(1);
  expect(String(events[0]!.entry)).not.toContain('hunter2');
  expect(events[0]!.reason).toBe('record http://10.0.0.9:80 is marked draining; so is http://10.0.0.8:80 and http://10.0.0.7:80');
});
const entry = (host: string) => ({ host, port: 80, metadata: { 'http://u:hunter2@h': 5 as unknown as string } });

it('a bad metadata key that is a URL with credentials is not echoed by createClient', () => {
  let err: { message: string; path: string } | undefined;
  try { createClient({ name: 'svc', discovery: [entry('10.0.0.1')] }); } catch (e) { err = e as never; }
  expect(err).toBeDefined();
  expect(err!.message).not.toContain('hunter2');
  expect(err!.path).not.toContain('hunter2');
});

it('... nor by endpointRejected.reason', async () => {
  let push!: (list: unknown[]) => void;
  const discovery: Discovery = { watch(update) { push = update as never; return () => {}; } };
  const c = createClient({ name: 'svc', discovery });
  const events: { entry: unknown; reason: string }[] = [];
  c.on('endpointRejected', (e) => events.push(e));
  push([entry('10.0.0.1'), '10.0.0.2:80']);
  await new Promise((r) => setTimeout(r, 10));
  await c.close();
  expect(events).toHaveLength(1);
  expect(JSON.stringify(events[0])).not.toContain('hunter2');
});
