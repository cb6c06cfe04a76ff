// What broke (the bulwark/undici client's default check): README says "2xx and 3xx pass", and the
// fetch client's check passes on the status; the undici client's waited for the whole body, so a
// health endpoint answering 200 at once with a slow body was judged failed ('timeout') and ejected.
import { describe, expect, it } from 'vitest';
import { createClient, type Client, type HealthEvent } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

/** 200 with its headers at once, the body's end 600 ms later. */
const slowBody = () => servers((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('ok');
  const t = setTimeout(() => res.end(), 600);
  res.on('close', () => clearTimeout(t));
});

const health = { maxEjectionPercent: 100, checks: { interval: 50, jitter: 0, timeout: 200, unhealthyThreshold: 1 } } as const;

async function ejectionsWithin(client: Client, server: { requests: unknown[] }): Promise<HealthEvent[]> {
  const events: HealthEvent[] = [];
  client.on('health', (e) => events.push(e));
  await until(() => server.requests.length >= 2, 3_000);
  await sleep(300);
  return events.filter((e) => e.status === 'ejected');
}

describe('default HTTP check: a 200 whose body is slow', () => {
  it('passes with the fetch client (control)', async () => {
    const [a] = await slowBody();
    const client = track(createClient({ name: 'svc', discovery: [a!.url], health }));
    expect(await ejectionsWithin(client, a!)).toEqual([]);
  });

  it('passes with the bulwark/undici client too (status decides, not how long the body takes)', async () => {
    const [a] = await slowBody();
    const client = track(createUndiciClient({ name: 'svc', discovery: [a!.url], health }));
    const ejected = await ejectionsWithin(client, a!);
    expect(ejected.map((e) => e.reason)).toEqual([]);
  });
});
