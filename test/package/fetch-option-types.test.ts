// What broke: README offers `createClient({ fetch: undici.fetch })` (and docs/discovery.md a `fetch` for consulDiscovery and eurekaDiscovery), which works at run time, but with undici 8 none of them compiled: bulwark's own test had to write `undici.fetch as unknown as typeof fetch`.
//
// The `fetch` option was typed `typeof globalThis.fetch`, whose `input` is Node's bundled
// undici-types `Request` and whose `init` is its `RequestInit`: undici 8's fetch takes neither
// (its Request has members Node's lacks, its FormData and Dispatcher are other types). The
// adapters' `FetchFn` took the global `RequestInit` too. The options are now typed by what bulwark
// passes (FetchFn: a URL string and a plain init; the client's option: fetch's parameters
// compared both ways, `init` without `dispatcher`), still a function resolving with a Response.
import { describe, expect, it } from 'vitest';
import { compileUser } from '../helpers/user-build.js';

describe('the `fetch` options take undici\'s own fetch, as README says', () => {
  it('createClient({ fetch: undici.fetch }) compiles, and so do the global fetch and a wrapper', () => {
    const diagnostics = compileUser({
      'main.ts': `
import * as undici from 'undici';
import { createClient } from 'bulwark';

const users = createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: undici.fetch });
const res = await users.fetch(new undici.Request('http://ignored.invalid/v1/users/42'));
console.log(res.status);
await users.close();
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: globalThis.fetch });
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: (input, init) => {
  console.log(input, init?.method);
  return fetch(input, init);
} });
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: async (url: string) => new Response(url) });
// @ts-expect-error: a fetch resolves with a Response
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: async (url: string) => url });
// @ts-expect-error: bulwark passes a URL, not a number
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: async (port: number) => new Response(String(port)) });
`,
    });
    expect(diagnostics).toEqual([]);
  });

  it('consulDiscovery and eurekaDiscovery take it too (docs/discovery.md: "For a proxy or a test")', () => {
    const diagnostics = compileUser({
      'main.ts': `
import * as undici from 'undici';
import { consulDiscovery, type FetchFn } from 'bulwark/consul';
import { eurekaDiscovery, eurekaRegistration } from 'bulwark/eureka';

const logged: FetchFn = (input, init) => {
  console.log(init.method, input);
  return fetch(input, init);
};
console.log(
  consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: undici.fetch }),
  consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: logged }),
  consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: globalThis.fetch }),
  eurekaDiscovery({ url: 'http://127.0.0.1:8761/eureka', app: 'USERS', fetch: undici.fetch }),
  eurekaRegistration({ url: 'http://127.0.0.1:8761/eureka', app: 'USERS', instance: { hostName: 'users-1', ipAddr: '10.0.0.7', port: 8080 }, fetch: undici.fetch }),
);
// @ts-expect-error: a fetch resolves with a Response
consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: async () => 'x' });
`,
    });
    expect(diagnostics).toEqual([]);
  });

  // What broke (found by the public-API review): in a project whose `lib` includes the DOM's
  // (TypeScript's default when `lib` is not set), none of these compiled: the DOM's Request and
  // Response are other types than undici 8's. The option now takes a URL string and resolves
  // with anything shaped as a Response (FetchedResponse, FetchFnResponse).
  it('all of it compiles with the DOM lib too', () => {
    const diagnostics = compileUser({
      'main.ts': `
import * as undici from 'undici';
import { createClient } from 'bulwark';
import { consulDiscovery } from 'bulwark/consul';
import { eurekaDiscovery } from 'bulwark/eureka';

const users = createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: undici.fetch });
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: globalThis.fetch });
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: (input, init) => fetch(input, init) });
const res: Response = await users.fetch('/v1/users/42');
console.log(res.status);
console.log(
  consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: undici.fetch }),
  consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: globalThis.fetch }),
  eurekaDiscovery({ url: 'http://127.0.0.1:8761/eureka', app: 'USERS', fetch: undici.fetch }),
);
// @ts-expect-error: a fetch resolves with a Response
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: async (url: string) => url });
`,
    }, ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts']);
    expect(diagnostics).toEqual([]);
  });

  // A diff review of the first fix (which typed FetchFunction and FetchFn by shape): a wrapper
  // declared as one could no longer be called as a fetch (`.json()`, `.text()`, `.ok` were gone),
  // and an option resolving with a plain `{ status, headers }` compiled. The option types are
  // now apart (FetchOption, FetchFnOption); FetchFunction and FetchFn resolve with a Response.
  for (const lib of [['lib.es2023.d.ts'], ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts']]) {
    it(`a wrapper declared as FetchFunction or FetchFn is a fetch to call, and a plain object is no answer (lib ${lib.join(', ')})`, () => {
      const diagnostics = compileUser({
        'main.ts': `
import { createClient, type ClientOptions, type FetchFunction } from 'bulwark';
import { consulDiscovery, type FetchFn } from 'bulwark/consul';

const logged: FetchFunction = (input, init) => fetch(input, init);
const body: unknown = await (await logged('http://127.0.0.1:8080/x')).json();
const adapterFetch: FetchFn = (input, init) => fetch(input, init);
const text: string = await (await adapterFetch('http://127.0.0.1:8500/x', { method: 'GET', signal: AbortSignal.timeout(1000), redirect: 'error' })).text();
const options: ClientOptions = { name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: logged };
console.log(body, text, createClient(options), consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: adapterFetch }));
// @ts-expect-error: a plain { status, headers } is no Response
createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'], fetch: async () => ({ status: 200, headers: new Headers() }) });
// @ts-expect-error: nor for an adapter
consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', fetch: async () => ({ status: 200, headers: new Headers() }) });
`,
      }, lib);
      expect(diagnostics).toEqual([]);
    });
  }
});

// What broke (found by the public-API review): README says `init: null` is no init, and at run
// time it is, but the types refused `users.fetch(url, null)`.
describe('client.fetch(input, null)', () => {
  it('compiles, as fetch(input, null) does', () => {
    const diagnostics = compileUser({
      'main.ts': `
import { createClient } from 'bulwark';
const users = createClient({ name: 'users', discovery: ['http://127.0.0.1:8080'] });
const res = await users.fetch('/v1/users/42', null);
console.log(res.status);
`,
    });
    expect(diagnostics).toEqual([]);
  });
});
