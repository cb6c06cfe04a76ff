// What broke (README, "Custom picker"): "It must return one of the endpoints it was given:
// anything else (another client's endpoint, a copy, a Promise) or a throw fails the call with
// `PluginError` and nothing is sent." and "Endpoint health" (README.md:298): "When it opens,
// the endpoint is **ejected**: no picker sees it, whatever the picker."
// The attempt stage only checked that the pick was a live endpoint of this client's registry,
// not that it was among the candidates the picker was last given. A picker that keeps an old list (here: the first one it was given) sends calls to an endpoint
// health has ejected, or to one outside this client's subset.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, PluginError, type Client, type EndpointState, type Picker, type PickRequest } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** A misbehaving picker: keeps the first candidate list it was given and always returns its first entry. */
class FirstListPicker implements Picker {
  readonly name = 'firstList';
  #list: readonly EndpointState[] | undefined;
  readonly given: string[][] = [];
  update(endpoints: readonly EndpointState[]): void {
    this.given.push(endpoints.map((e) => e.id));
    this.#list ??= endpoints;
  }
  pick(_request: PickRequest): EndpointState | undefined {
    return this.#list?.[0];
  }
}

describe('a custom picker that returns an endpoint it was no longer given', () => {
  it('an ejected endpoint: the call fails with PluginError and nothing is sent to it', async () => {
    const picker = new FirstListPicker();
    const client = createClient({
      name: 'svc', clock: new FakeClock(), discovery: ['tcp://a:1', 'tcp://b:1', 'tcp://c:1'], picker, retry: false,
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 50, ejectionTime: 1e9 },
    });
    clients.push(client);
    const sent: string[] = [];
    await client.execute((e) => { sent.push(e.id); throw new Error('down'); }).catch(() => {});
    expect(sent).toEqual(['tcp://a:1']);
    expect(client.stats().endpoints[0]!.health!.status).toBe('ejected');
    // The picker was told: a is no candidate any more.
    expect(picker.given.at(-1)).toEqual(['tcp://b:1', 'tcp://c:1']);

    const result = await client.execute((e) => { sent.push(e.id); return e.id; }).catch((err: unknown) => err);
    expect(sent).toEqual(['tcp://a:1']);
    expect(result).toBeInstanceOf(PluginError);
  });

  it('an endpoint outside this client\'s subset: the call fails with PluginError and nothing is sent to it', async () => {
    const picker = new FirstListPicker();
    let update!: (endpoints: string[]) => void;
    const client = createClient({
      name: 'svc', clock: new FakeClock(), picker, subset: { size: 1, clientId: 0 },
      discovery: { watch(u) { update = u; return () => {}; } },
    });
    clients.push(client);
    update(['tcp://a:1']);
    await expect(client.execute((e) => e.id)).resolves.toBe('tcp://a:1');
    // Endpoints added: the subset is computed afresh and the picker given it.
    update(['tcp://a:1', 'tcp://b:1', 'tcp://c:1', 'tcp://d:1']);
    const subset = picker.given.at(-1)!;
    expect(subset).toHaveLength(1);
    expect(subset).not.toContain('tcp://a:1');

    const sent: string[] = [];
    const result = await client.execute((e) => { sent.push(e.id); return e.id; }).catch((err: unknown) => err);
    expect(sent).toEqual([]);
    expect(result).toBeInstanceOf(PluginError);
  });
});
