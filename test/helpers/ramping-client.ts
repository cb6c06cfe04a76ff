// A client whose endpoints ramp under slow start, for the slow-start share tests.
import { createClient, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from './fake-clock.js';

/**
 * A client on a fake clock over `old` endpoints (10.0.0.1…) with a 600 s slow start, no retries,
 * kept in `clients` (for the caller's afterEach to close); `push` sends a new endpoint set.
 *
 * @example
 * const { clock, set, push, client } = rampingClient(roundRobin(), 3, clients);
 * push([...set, { host: '10.0.9.1', port: 1 }]);
 */
export function rampingClient(picker: Picker, old: number, clients: Client[]): { clock: FakeClock; set: EndpointInit[]; push: (s: EndpointInit[]) => void; client: Client } {
  const clock = new FakeClock();
  const set: EndpointInit[] = Array.from({ length: old }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 1 }));
  let push: (s: EndpointInit[]) => void = () => {};
  const client = createClient({
    name: 'svc', picker, clock, retry: false,
    discovery: { watch: (update: (s: EndpointInit[]) => void) => { push = update; update(set); return () => {}; } },
    health: { slowStart: { window: 600_000 } },
  });
  clients.push(client);
  return { clock, set, push: (s) => push(s), client };
}
