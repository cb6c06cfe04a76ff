// README ("Custom discovery"): what an adapter hands the client never throws back into it. The
// client's `rejected` listener turns `reason` into a string with String(), which throws for an
// object without a primitive conversion (a null-prototype object, a toString that throws).
import { describe, expect, it } from 'vitest';
import { createClient, type EndpointRejectedEvent } from '../../src/index.js';

describe('rejected(entry, reason) with a reason that cannot be made a string', () => {
  for (const [label, reason] of [
    ['a null-prototype object', Object.create(null) as unknown],
    ['an object whose toString throws', { toString() { throw new Error('no'); } }],
  ] as const) {
    it(`does not throw into the adapter for ${label}, and still emits endpointRejected`, async () => {
      let rejected!: (entry: unknown, reason: string) => void;
      const client = createClient({ name: 'svc', discovery: { watch(_u, _e, r) { rejected = r; return () => {}; } } });
      const events: EndpointRejectedEvent[] = [];
      client.on('endpointRejected', (e) => events.push(e));
      try {
        expect(() => rejected({ key: 'services/a' }, reason as string)).not.toThrow();
        await new Promise((r) => setTimeout(r, 0));
        expect(events).toHaveLength(1);
      } finally {
        await client.close();
      }
    });
  }
});
