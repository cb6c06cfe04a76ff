import { afterEach } from 'vitest';
import { createClient, roundRobin, type Client, type ClientOptions, type Endpoint, type HealthEvent } from '../../src/index.js';
import { FakeClock } from './fake-clock.js';

/**
 * For health tests on a fake clock: `setup(options)` makes a client over three endpoints with a
 * round-robin picker, no backoff and no retry budget (`options` laid over), records its
 * `health` events, and closes it after the test.
 */
export function healthClients(): (options?: Partial<ClientOptions>) => { clock: FakeClock; client: Client; events: HealthEvent[] } {
  const clients: Client[] = [];
  afterEach(async () => {
    while (clients.length > 0) await clients.pop()!.close();
  });
  return (options = {}) => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: roundRobin({ random: () => 0 }),
      clock, retry: { backoff: { base: 0, cap: 0 }, budget: false }, ...options,
    });
    clients.push(client);
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    return { clock, client, events };
  };
}

/** An `execute` fn whose connection to `host` is refused (ECONNREFUSED); other endpoints answer their host. */
export const refusedOn = (host: string) => async (e: Endpoint): Promise<string> => {
  if (e.host === host) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  return e.host;
};

/** Six endpoints, for outlier detection's comparisons (its default `minimumHosts` is 5). */
export const SIX = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80', '10.0.0.6:80'];

/** An attempt function under which every endpoint in `flaky` fails 3 attempts in every 10 (never 5 in a row: its breaker stays shut). */
export function flakyOn(flaky: Set<string>): (e: Endpoint) => Promise<string> {
  const seen = new Map<string, number>();
  return async (e) => {
    const n = seen.get(e.host) ?? 0;
    seen.set(e.host, n + 1);
    if (flaky.has(e.host) && n % 10 < 3) throw new Error('500');
    return e.host;
  };
}
