// What broke (README, "Endpoints and discovery": `endpoints()` follows the order of the latest
// update; "stats()": per endpoint, successes + failures + cancelled + inflight add up to the
// attempts sent there; found by the hostile-plugins review). A picker's `update` was handed the
// client's own list (its endpoints, or the candidates health keeps): a picker of the user's
// that sorted it in place reordered `endpoints()` and `stats()`, and one that emptied it made
// both show no endpoint while calls still went out.
import { describe, expect, it } from 'vitest';
import { createClient, type EndpointState, type Picker } from '../../src/index.js';

/** A picker that keeps the array it was given and then does `mutate` to it. */
function mutating(mutate: (list: EndpointState[]) => void): Picker {
  let list: readonly EndpointState[] = [];
  return {
    name: 'mutating',
    update(endpoints) {
      list = endpoints.slice();
      mutate(endpoints as EndpointState[]);
    },
    pick(request) { return list.find((e) => !request.tried.includes(e)); },
  };
}

const ids = ['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2', 'tcp://127.0.0.1:3'];

describe("a picker that changes the array its update is given leaves the client's endpoints as they were", () => {
  for (const health of [true, false]) {
    it(`sorted in place (health ${health ? 'on' : 'off'}): endpoints() keeps discovery's order`, async () => {
      const client = createClient({ name: 'svc', discovery: ids, picker: mutating((l) => l.sort((a, b) => b.id.localeCompare(a.id))), ...(health ? {} : { health: false }) });
      await client.execute(() => 1);
      expect(client.endpoints().map((e) => e.id)).toEqual(ids);
      expect(client.stats().endpoints.map((e) => e.id)).toEqual(ids);
      await client.close();
    });

    it(`emptied (health ${health ? 'on' : 'off'}): stats() still shows every endpoint, and its figures add up`, async () => {
      const client = createClient({ name: 'svc', discovery: ids, picker: mutating((l) => { l.length = 0; }), ...(health ? {} : { health: false }) });
      for (let i = 0; i < 4; i++) await client.execute(() => 1);
      const stats = client.stats();
      expect(stats.endpoints.map((e) => e.id)).toEqual(ids);
      expect(stats.endpoints.reduce((n, e) => n + e.successes, 0)).toBe(stats.attempts);
      expect(stats.attempts).toBe(4);
      await client.close();
    });
  }
});
