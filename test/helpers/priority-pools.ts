// Pools of endpoints by priority, for the per-priority panic tests: built directly (for
// admittedCandidates) or as a client whose dead endpoints refuse connections.
import { ConsecutiveBreaker } from 'cockatiel';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { EndpointHealth } from '../../src/health/endpoint-health.js';
import { createClient, roundRobin, type Client, type Endpoint, type EndpointInit } from '../../src/index.js';
import { FakeClock } from './fake-clock.js';

/** Routing options as the client's defaults give them (no local zone, overprovisioning 1.4). */
export const ROUTING = { localZone: undefined, overprovisioning: 1.4 };

/** `n` endpoints of `priority` (hosts 10.<priority>.0.1…), the first `up` healthy and the rest ejected until 30 s. */
export function level(priority: number, n: number, up: number): LiveEndpoint[] {
  return Array.from({ length: n }, (_, i) => {
    const e = new LiveEndpoint(parseEndpoint({ host: `10.${priority}.0.${i + 1}`, port: 80, priority }), 10_000, 0);
    e.health = new EndpointHealth(new ConsecutiveBreaker(1), 0);
    if (i >= up) {
      e.health.status = 'ejected';
      e.health.until = 30_000;
    }
    return e;
  });
}

/**
 * A client on a fake clock over three priority-0 hosts (10.0.0.1–3) and three priority-1 ones
 * (10.0.1.1–3), round robin, no retries, one failure ejects; `fn` refuses the hosts in `dead`.
 * Calls are made until every dead host is ejected (at most 200).
 */
export async function clientWithDead(dead: ReadonlySet<string>): Promise<{ client: Client; fn: (e: Endpoint) => Promise<string> }> {
  const primary: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 80, priority: 0 }));
  const standby: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.1.${i}`, port: 80, priority: 1 }));
  const client = createClient({
    name: 'svc', clock: new FakeClock(), discovery: [...primary, ...standby], picker: roundRobin({ random: () => 0 }),
    retry: false, health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  });
  const fn = async (e: Endpoint): Promise<string> => {
    if (dead.has(e.host)) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    return e.host;
  };
  for (let i = 0; i < 200; i++) {
    await client.execute(fn).catch(() => {});
    if (client.stats().endpoints.filter((e) => e.health?.status === 'ejected').length === dead.size) break;
  }
  return { client, fn };
}
