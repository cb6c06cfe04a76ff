// What broke: createClient accepts a custom picker with no string `name`, so stats().picker is undefined and PluginError messages read "undefined.pick() threw".
// README "Custom picker": a picker is an object with a `name` (`readonly name: string; // shown in
// stats().picker`), `update` and `pick`; "Options": createClient validates everything at once and
// throws ConfigError naming the option. checkPicker's own message says `{ name, update(endpoints),
// pick(request) }` but checks only the two methods (src/pickers/check.ts), unlike latencyDecay, which it checks.
import { afterEach, expect, it } from 'vitest';
import { ConfigError, createClient, type Client, type EndpointState, type Picker } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function make(picker: unknown): Client {
  const client = createClient({ name: 'svc', discovery: ['tcp://10.0.0.1:80'], picker: picker as Picker });
  clients.push(client);
  return client;
}

const methods = (): Omit<Picker, 'name'> => {
  let list: readonly EndpointState[] = [];
  return { update: (e) => { list = e; }, pick: () => list[0] };
};

it.each([
  ['no name at all', {}],
  ['a name that is not a string', { name: 42 }],
  ['an empty name', { name: '' }],
])('a custom picker with %s is refused with ConfigError naming picker.name', (_what, extra) => {
  // Was: accepted; stats().picker undefined, and "svc: undefined.pick() threw".
  expect(() => make({ ...methods(), ...extra })).toThrow(ConfigError);
  expect(() => make({ ...methods(), ...extra })).toThrow(/picker\.name/);
});

it('a named custom picker is accepted and named in stats()', () => {
  expect(make({ ...methods(), name: 'first' }).stats().picker).toBe('first');
});
