// What broke: a static endpoint list with a hole (a double comma: ['http://10.0.0.1:80', , 'http://10.0.0.2:80']) passes createClient's validation; the missing entry only shows up later as an endpointRejected event.
// README, "Options": `discovery` is "an array of endpoints (shorthand for staticDiscovery(array),
// validated at creation)"; "createClient(options) validates everything at once and throws
// ConfigError naming the option". resolveDiscovery (discovery/start.ts) checks the entries with
// `list.forEach`, which skips holes, while the registry reads the list with Array.from, which turns
// the hole into `undefined` and drops it with an event: the same list is valid at creation and
// invalid at run time. The typo goes unnoticed (one endpoint fewer), where `[a, undefined, b]`
// is a ConfigError at `discovery[1]`.
import { expect, it } from 'vitest';
import { ConfigError, createClient, staticDiscovery } from '../../src/index.js';

it('a hole in the list is refused at creation, as undefined in its place is', () => {
  // eslint-disable-next-line no-sparse-arrays
  const withHole = ['http://10.0.0.1:80', , 'http://10.0.0.2:80'] as string[];
  const withUndefined = ['http://10.0.0.1:80', undefined, 'http://10.0.0.2:80'] as unknown as string[];
  expect(() => createClient({ name: 'u', discovery: withUndefined })).toThrow(ConfigError);
  let client: ReturnType<typeof createClient> | undefined;
  try {
    expect(() => { client = createClient({ name: 'holes', discovery: withHole }); }).toThrow(ConfigError);
    expect(() => { client = createClient({ name: 'holes', discovery: staticDiscovery(withHole) }); }).toThrow(ConfigError);
  } finally {
    void client?.close();
  }
});
