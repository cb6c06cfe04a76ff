// What broke: an update made by an `endpoints` listener (a discovery adapter fed by what the client announces) is announced to the later listeners before the change that caused it, so a listener applying added/removed ends up with a set the client does not hold.
// README, "Events": `endpoints` carries `{ endpoints, added, removed }` for each change of the set;
// observe/deferred-events.ts: "Events then go out in the order the changes happened, and a
// listener that applies added/removed stays right." Discovery events are queued only while
// createClient runs; afterwards DeferredEvents.emit() fires at once, so an update made from
// inside one listener is emitted (to every listener) in the middle of the outer event's
// emission, and the listeners after that one hear the changes in the reverse order.
import { expect, it } from 'vitest';
import { createClient, type Discovery, type EndpointInit } from '../../src/index.js';

it('listeners hear the changes in the order they happened, even when one listener causes another update', async () => {
  let push!: (endpoints: readonly EndpointInit[]) => void;
  const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
  const client = createClient({ name: 'mirror', discovery });
  try {
    // First listener: a "follower" that reacts to a new endpoint by moving to another one at once.
    let moved = false;
    client.on('endpoints', (e) => {
      if (!moved && e.added.some((a) => a.host === '10.0.0.2')) {
        moved = true;
        push(['http://10.0.0.3:80']);
      }
    });
    // Second listener: keeps its own copy of the set from added/removed, as the event is meant for.
    const mirror = new Set<string>();
    client.on('endpoints', (e) => {
      for (const a of e.added) mirror.add(a.id);
      for (const r of e.removed) mirror.delete(r.id);
    });
    push(['http://10.0.0.1:80']);
    push(['http://10.0.0.2:80']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(client.endpoints().map((e) => e.id)).toEqual(['http://10.0.0.3:80']);
    expect([...mirror]).toEqual(['http://10.0.0.3:80']);
  } finally {
    await client.close();
  }
});
