// Failover test scaffolding: a client over fake endpoints (execute only, nothing sent) with one endpoint ejected.
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from './fake-clock.js';

/**
 * A client whose endpoint `down` fails every call and is ejected (for ever) on its first
 * failure; the others answer with their host. Resolves once `down` is ejected.
 */
export async function withOneEjected(picker: Picker, discovery: EndpointInit[], down: string): Promise<{ client: Client; call: (key?: string) => Promise<string> }> {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery, picker, clock, retry: false,
    health: { maxEjectionPercent: 50, ejectionTime: 1e9, breaker: () => new ConsecutiveBreaker(1) },
  });
  const fn = (e: { host: string }): string => {
    if (e.host === down) throw new Error('down');
    return e.host;
  };
  const index = discovery.findIndex((d) => typeof d === 'object' && d.host === down);
  for (let i = 0; i < 2000 && client.stats().endpoints[index]!.health!.status !== 'ejected'; i++) {
    await client.execute(fn, { key: `warm-${i}` }).catch(() => {});
  }
  if (client.stats().endpoints[index]!.health!.status !== 'ejected') throw new Error('setup: endpoint not ejected');
  return { client, call: (key) => client.execute(fn, key === undefined ? {} : { key }) };
}

/** Counts per value. */
export function tally(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}
