// A user's declaration build (a library built on bulwark, `declaration: true`), in a directory
// whose node_modules holds bulwark alone (pnpm or any strict layout: cockatiel and eventemitter3
// are bulwark's dependencies, not the user's). Three public types could not be named there:
// - `health.breaker` and `circuitBreaker.breaker` were typed with cockatiel's `IBreaker`, which
//   no entry point exported (TS2883). bulwark now exports `IBreaker` (a type) and `CircuitState`.
// - `Client`'s `on`, `once` and `off` were declared with eventemitter3's helper types (TS2883):
//   the client's emitter is now typed with bulwark's own `ClientEvents`.
// - `EndpointState`, the type pickers get, extended the registry's internal class: it showed
//   `health`, `refresh`, `owner`, `retired`, `toJSON` and writable `weight`/`zone`/…, some of
//   them of types no entry point exports. It is now an interface of the documented read-only
//   fields only.
import { describe, expect, it } from 'vitest';
import { buildUserModule, membersOf } from '../helpers/user-build.js';

describe('public types in a user\'s declaration build', () => {
  it('the breaker options can be named through bulwark', () => {
    const diagnostics = buildUserModule(`
import { createClient, CircuitState, type CircuitBreakerOptions, type HealthOptions, type IBreaker } from 'bulwark';
export const client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'] });
export const healthBreaker = (o: HealthOptions) => o.breaker;
export const circuitBreaker = (o: CircuitBreakerOptions) => o.breaker;
export class Never implements IBreaker {
  state: unknown = null;
  success(_state: CircuitState): void {}
  failure(state: CircuitState): boolean { return state === CircuitState.HalfOpen; }
}
`);
    expect(diagnostics).toEqual([]);
  });

  it('the client\'s event methods have types a user can name', () => {
    const diagnostics = buildUserModule(`
import { createClient } from 'bulwark';
export const client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'] });
export const on = client.on.bind(client);
export const once = client.once.bind(client);
export const off = client.off.bind(client);
export const listeners = client.listeners('attempt');
`);
    expect(diagnostics).toEqual([]);
  });

  it('EndpointState has the documented read-only fields only, each of a type a user can name', () => {
    const members = membersOf('dist/index.d.ts', 'EndpointState').sort();
    expect(members).toEqual(['basePath', 'cancelled', 'failures', 'failuresInARow', 'host', 'id', 'inflight', 'latency', 'metadata', 'port', 'priority', 'protocol', 'successes', 'url', 'weight', 'zone']);
    const source = `import type { EndpointState } from 'bulwark';\n${members.map((m) => `export const get_${m} = (e: EndpointState) => e.${m};`).join('\n')}\n`;
    expect(buildUserModule(source)).toEqual([]);
    expect(buildUserModule(`import type { EndpointState } from 'bulwark';\nexport const bump = (e: EndpointState) => { e.weight = 2; };\n`).join(' ')).toMatch(/TS2540/);
  });
});
