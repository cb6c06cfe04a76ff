// What broke (active checks): an endpoint the checks ejected "ended" its ejection after
// ejectionTime, announced `probing` ('ejection over') though nothing probes a checked endpoint,
// and the next failed check ejected it again, one more ejection each round: 5 ejections and 4
// "ejection over" for one 600 ms outage, and a count that made its next breaker ejection last up
// to maxEjectionTime. Envoy keeps the host out until healthy_threshold passes; so does bulwark now.
import { describe, expect, it } from 'vitest';
import { createClient, type HealthEvent } from '../../src/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

describe('an endpoint that keeps failing its active checks', () => {
  it('is ejected once, not again every ejection time, and its ejection count does not climb', async () => {
    let up = false;
    const client = track(createClient({
      name: 'svc', discovery: ['http://127.0.0.1:40001', 'http://127.0.0.1:40002'],
      health: {
        ejectionTime: 40, maxEjectionTime: 10_000,
        checks: { interval: 10, jitter: 0, timeout: 1_000, unhealthyThreshold: 1, healthyThreshold: 1, check: async (e) => e.port !== 40_001 || up },
      },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => { if (e.endpoint.port === 40_001) events.push(e); });
    await until(() => events.length > 0, 2_000);
    // Down for 600 ms: 15 ejection times of 40 ms.
    await sleep(600);
    const ejected = events.filter((e) => e.status === 'ejected');
    const stats = client.stats().endpoints.find((e) => e.url.endsWith(':40001'))!.health!;
    up = true;
    await until(() => events.at(-1)!.status === 'healthy', 2_000);
    expect({ ejected: ejected.length, probing: events.filter((e) => e.status === 'probing').length, ejections: stats.ejections })
      .toEqual({ ejected: 1, probing: 0, ejections: 1 });
  });
});
