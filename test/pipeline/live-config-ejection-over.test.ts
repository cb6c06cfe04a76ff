// What broke (live health numbers): an ejection whose time ran out before a document changed the
// ejection times, with no call or stats() since to notice, was retimed as if in progress: a longer
// ejectionTime put an endpoint already due for probing back to ejected (a stats() read in between
// would have kept it probing). Ejections over under the numbers in force now end first.
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

async function ejectedAtZero(): Promise<{ client: Client; clock: FakeClock; first: () => { status: string; nextProbeIn: number | null } }> {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock, picker: roundRobin(), retry: false,
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, ejectionTime: 30_000 },
  });
  clients.push(client);
  await clock.advance(0);
  for (let i = 0; i < 3; i++) {
    await client.execute(async (e) => { if (e.host === '10.0.0.1') throw new Error('down'); return 'ok'; }).catch(() => {});
  }
  const first = () => client.stats().endpoints.find((e) => e.url.includes('10.0.0.1'))!.health!;
  expect(first()).toMatchObject({ status: 'ejected', nextProbeIn: 30_000 });
  return { client, clock, first };
}

describe('a longer ejectionTime does not bring back an ejection that was over before the change', () => {
  it('ejected for 30 s at t=0; at t=40 s ejectionTime goes to 60 s: the endpoint is up for probing, as it was before the change', async () => {
    const { client, clock, first } = await ejectedAtZero();
    await clock.advance(40_000);
    // Nobody looked between t=30 s and now (no call, no stats()): the client's state must not depend on that.
    client.reconfigure({ health: { ejectionTime: 60_000 } });
    expect(first().status).toBe('probing');
  });

});
