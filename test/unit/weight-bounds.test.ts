// What broke: any finite weight > 0 was accepted (see test/pickers/extreme-weights.test.ts).
// README "Endpoints and discovery": weights are numbers from 1e-6 to 1e6 (default 1), a range
// that keeps every picker's arithmetic finite for up to 100 000 endpoints (src/endpoints/parse.ts,
// MIN_WEIGHT / MAX_WEIGHT). An out-of-range weight rejects the endpoint as any other bad field
// does: EndpointParseError naming `.weight` at parse level, ConfigError at `discovery[i].weight`
// for a static list, a rejected record for discovery.
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointParseError, MAX_WEIGHT, MIN_WEIGHT, parseEndpoint } from '../../src/endpoints/parse.js';
import { ConfigError, createClient, type Client } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const at = (weight: unknown): unknown => {
  try {
    return parseEndpoint({ host: '10.0.0.1', port: 80, weight } as never).weight;
  } catch (err) {
    return err;
  }
};

describe('endpoint weight bounds at parse time', () => {
  it('the bounds are 1e-6 and 1e6', () => {
    expect(MIN_WEIGHT).toBe(1e-6);
    expect(MAX_WEIGHT).toBe(1e6);
  });

  it.each([1e-6, 0.01, 0.5, 1, 3, 65_535, 1e6])('accepts %d as it is', (weight) => {
    expect(at(weight)).toBe(weight);
  });

  it('defaults to 1', () => {
    expect(parseEndpoint({ host: '10.0.0.1', port: 80 }).weight).toBe(1);
    expect(parseEndpoint('10.0.0.1:80').weight).toBe(1);
  });

  it.each([
    0, -1, -0, 9.99e-7, 1e-310, Number.MIN_VALUE, 1_000_000.0001, 1e7, 1e306, 1e308, Infinity, -Infinity, Number.NaN, '2', true,
  ])('refuses %s with EndpointParseError at .weight, naming the range', (weight) => {
    const err = at(weight);
    expect(err).toBeInstanceOf(EndpointParseError);
    expect((err as EndpointParseError).field).toBe('.weight');
    expect((err as EndpointParseError).expected).toMatch(/1e-6 to 1e6/);
    expect((err as EndpointParseError).value).toBe(weight);
  });

  it('createClient refuses a static endpoint with an out-of-range weight as it does any bad field (ConfigError at discovery[i].weight)', () => {
    for (const weight of [2e6, 1e-7]) {
      let error: unknown;
      try {
        clients.push(createClient({ name: 'svc', discovery: ['10.0.0.1:80', { host: '10.0.0.2', port: 80, weight }] }));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe('discovery[1].weight');
    }
  });

  it('a discovered endpoint with an out-of-range weight is rejected (endpointRejected, naming the weight), the others kept', async () => {
    let push: (list: { host: string; port: number; weight?: number }[]) => void = () => {};
    const client = createClient({ name: 'svc', discovery: { watch: (update) => { push = update; return () => {}; } } });
    clients.push(client);
    const rejected: string[] = [];
    client.on('endpointRejected', (e) => rejected.push(e.reason));
    push([{ host: '10.0.0.1', port: 80 }, { host: '10.0.0.2', port: 80, weight: 1e9 }]);
    expect(await client.execute((e) => e.host)).toBe('10.0.0.1');
    expect(client.stats().endpoints.map((e) => e.id)).toEqual(['http://10.0.0.1:80']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatch(/weight/);
  });
});
