// With subsetting, an endpoint that leaves this client's subset (while discovery keeps it) is no
// longer this client's to judge: it does not keep the health it had here (a stale `ejected` in
// `stats()`, with an ejection count that would lengthen its next ejection), and an attempt still
// running on it when it left changes nothing. Endpoints outside the subset show `health:
// undefined`, as README's stats() says. Fake transport, fake clock.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, type Client, type HealthEvent } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();
const ports = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:80`);

function subsetClient(): { client: Client; update: (list: string[]) => void; events: HealthEvent[] } {
  let update!: (list: string[]) => void;
  const client = track(createClient({
    name: 'svc', clock: new FakeClock(), subset: { size: 1, clientId: 0 },
    discovery: { watch: (u) => { update = u; u(ports(3)); return () => {}; } },
    retry: false, health: { maxEjectionPercent: 100, breaker: () => new ConsecutiveBreaker(1) },
  }));
  const events: HealthEvent[] = [];
  client.on('health', (e) => events.push(e));
  return { client, update, events };
}

const used = async (client: Client): Promise<string> => client.execute((e) => e.host);

describe('an endpoint that leaves the subset', () => {
  it('no longer shows the health it had in this client; one never in the subset shows none', async () => {
    const { client, update, events } = subsetClient();
    const first = await used(client);
    await client.execute(() => { throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }); }).catch(() => {});
    expect(events.map((e) => `${e.endpoint.host} ${e.status}`)).toEqual([`${first} ejected`]);
    // Endpoints added: the subset is computed afresh; add until `first` is out of it.
    let n = 3;
    let now = first;
    while (now === first && n < 40) {
      update(ports(++n));
      now = await used(client);
    }
    expect(now).not.toBe(first);
    const stats = client.stats().endpoints;
    const left = stats.find((e) => e.url === `http://${first}:80`)!;
    expect(left.health).toBeUndefined();
    expect(stats.filter((e) => e.health !== undefined).map((e) => e.url)).toEqual([`http://${now}:80`]);
  });
});
