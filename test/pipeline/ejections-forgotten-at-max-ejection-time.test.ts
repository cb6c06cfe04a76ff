// What broke: README says a stable period "as long as the longest ejection forgets earlier
// ones", and stats() shows `ejections` "0 once healthy for maxEjectionTime"; the code forgot
// them only once an endpoint had been healthy strictly longer. At exactly `maxEjectionTime`
// healthy, `ejections` still showed 1, and an ejection then lasted twice the ejection time.
import { ConsecutiveBreaker } from 'cockatiel';
import { expect, it } from 'vitest';
import { createClient, roundRobin, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

it('an endpoint healthy for exactly maxEjectionTime has its ejections forgotten, and its next ejection is the first', async () => {
  const clock = new FakeClock();
  const client = track(createClient({
    name: 'svc', clock, picker: roundRobin({ random: () => 0 }),
    discovery: ['10.0.0.1:80', '10.0.0.2:80'],
    retry: { attempts: 1, budget: false },
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, panicThreshold: 0, ejectionTime: 1_000, maxEjectionTime: 5_000 },
  }));
  const down = new Set(['10.0.0.1']);
  const fn = async (e: Endpoint): Promise<string> => {
    if (down.has(e.host)) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    return 'ok';
  };
  const ejectedFor: (number | undefined)[] = [];
  client.on('health', (event) => {
    if (event.status === 'ejected') ejectedFor.push(event.ejectedFor);
  });
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 20 && !done(); i++) await client.execute(fn).catch(() => {});
  };
  await until(() => ejectedFor.length === 1);
  await clock.advance(1_000);
  down.clear();
  await until(() => client.stats().endpoints[0]!.health?.status === 'healthy');
  // Healthy from now: exactly maxEjectionTime later, the ejection is forgotten.
  await clock.advance(5_000);
  expect(client.stats().endpoints[0]!.health).toMatchObject({ status: 'healthy', ejections: 0 });
  down.add('10.0.0.1');
  await until(() => ejectedFor.length === 2);
  expect(ejectedFor).toEqual([1_000, 1_000]);
});
