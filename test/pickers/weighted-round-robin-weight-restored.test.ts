// What broke: weightedRoundRobin keeps an endpoint's next turn from its old weight, so an endpoint drained to a tiny weight and restored gets no calls for thousands of picks.
// README "Pickers": weightedRoundRobin sends to "each endpoint as often as its `weight` says"; "Custom
// discovery": call `update` with the complete set each time, and a changed weight applies. Envoy's
// EDF scheduler is rebuilt on every host-set change, so a changed weight takes effect at the next pick.
// Here a kept endpoint keeps its deadline (virtual time of its next turn) computed with the old
// period (1 / weight): after a drain to weight 0.001 its next turn is ≈ 1 000 turns of the others away.
import { afterEach, expect, it } from 'vitest';
import { createClient, weightedRoundRobin, type Client, type Discovery, type EndpointInit } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const set = (drained: number): EndpointInit[] => [
  { host: '10.0.0.1', port: 80, protocol: 'tcp' },
  { host: '10.0.0.2', port: 80, protocol: 'tcp' },
  { host: '10.0.0.3', port: 80, protocol: 'tcp' },
  { host: '10.0.0.4', port: 80, protocol: 'tcp', weight: drained },
];

it('an endpoint drained (weight 0.001) then restored (weight 1) gets its share again at once', async () => {
  let push!: (e: readonly EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; update(set(1)); return () => {}; } };
  const client = createClient({ name: 'svc', discovery, picker: weightedRoundRobin({ random: () => 0.5 }), retry: false });
  clients.push(client);
  const host = (e: { host: string }): string => e.host;
  for (let i = 0; i < 20; i++) await client.execute(host);
  // Drain: weight 0.001 (an operator takes it out of rotation without removing it).
  push(set(0.001));
  for (let i = 0; i < 300; i++) await client.execute(host);
  // Restore: weight 1, equal to the others: it should now take a quarter of the calls.
  push(set(1));
  expect(client.endpoints().find((e) => e.host === '10.0.0.4')!.weight).toBe(1);
  let restored = 0;
  const N = 400;
  for (let i = 0; i < N; i++) if ((await client.execute(host)) === '10.0.0.4') restored++;
  // Equal weights: a round robin, 100 of 400. Today: 0.
  expect(restored).toBeGreaterThanOrEqual(90);
});
