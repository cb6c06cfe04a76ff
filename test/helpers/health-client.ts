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
