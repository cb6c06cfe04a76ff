import { describe, expect, it } from 'vitest';
import { PluginError, type Endpoint, type EndpointState, type Picker } from '../../src/index.js';
import { PLUGIN_RETRY_MS } from '../../src/health/plugin-retry.js';
import { healthClients } from '../helpers/health-client.js';

// What broke: when a picker's `update` threw as an ejection ended (the next call refreshes health
// and gives the picker the candidates, the endpoint now probing among them), that call failed
// with a PluginError, as documented, but the endpoint stayed `probing` and never reached the
// picker again: no probe, no re-admission, for good (nothing else changed to send the
// candidates again). Now the picker is given them again a second later (PLUGIN_RETRY_MS, by the
// next call or stats()), and the endpoint is probed and re-admitted once the picker works; the
// calls in between go to the candidates the picker kept.

const setup = healthClients();

describe("a picker whose update throws once as an endpoint's ejection ends", () => {
  it('gets the candidates again a second later, and the endpoint is probed and re-admitted', async () => {
    let throwOnce = false;
    let list: readonly EndpointState[] = [];
    let turn = 0;
    const picker: Picker = {
      name: 'mine',
      update(endpoints) {
        if (throwOnce) { throwOnce = false; throw new Error('transient'); }
        list = endpoints;
      },
      pick({ tried }) {
        const untried = list.filter((e) => !tried.includes(e));
        return untried.length === 0 ? undefined : untried[turn++ % untried.length];
      },
    };
    let down = true;
    const fn = async (e: Endpoint): Promise<string> => {
      if (e.host === '10.0.0.1' && down) throw new Error('down');
      return e.host;
    };
    const { clock, client, events } = setup({ picker, retry: { attempts: 3, backoff: { base: 0, cap: 0 }, budget: false }, health: { ejectionTime: 1000 } });
    for (let i = 0; i < 15; i++) await client.execute(fn);
    expect(events.map((e) => e.status)).toEqual(['ejected']);
    down = false;
    await clock.advance(1000);
    throwOnce = true;
    // The ejection is over: this call refreshes health, the picker's update throws, the call fails (README).
    await expect(client.execute(fn)).rejects.toBeInstanceOf(PluginError);
    expect(events.map((e) => e.status)).toEqual(['ejected', 'probing']);
    // Meanwhile the calls go to what the picker kept (the two healthy endpoints).
    for (let i = 0; i < 4; i++) expect(await client.execute(fn)).not.toBe('10.0.0.1');
    await clock.advance(PLUGIN_RETRY_MS);
    const reached = new Set<string>();
    for (let i = 0; i < 6; i++) reached.add(await client.execute(fn));
    expect(reached).toContain('10.0.0.1');
    expect(events.map((e) => e.status)).toEqual(['ejected', 'probing', 'healthy']);
  });
});
