// The type of createClient's `fetch` option, apart: what it accepts is a choice worth its own explanation.

/**
 * What the `fetch` option takes: Node's global `fetch`, undici's own (`import { fetch } from
 * 'undici'`, undici 8), or a wrapper or test double of yours, resolving with a `Response` (an
 * answer that is not one fails the call with `PluginError`, `plugin: 'fetch'`).
 * bulwark calls it with the attempt's URL as a string and a `RequestInit`: your call's init with
 * the attempt's `signal` (and `headers` with the endpoint's `authorization`; a stream `body`
 * passed through a relay of bulwark's), and, only when it is Node's own fetch, a `dispatcher`
 * of bulwark's, which aborts the attempt in the signal's place. Its parameters are those of the global
 * `fetch`, compared both ways (it is declared as a method), and `init` has no `dispatcher`: a
 * fetch typed with its own copy of the fetch types, as undici 8's is (its `Request`,
 * `RequestInit` and `Dispatcher` are not the ones Node's types bundle), is then accepted too.
 *
 * @example
 * import { fetch as undiciFetch } from 'undici';
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: undiciFetch });
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: (input, init) => {
 *   console.log(init?.method ?? 'GET', input);
 *   return fetch(input, init);
 * } });
 */
export type FetchFunction = { fetch(input: string | URL | Request, init?: Omit<RequestInit, 'dispatcher'>): Promise<Response> }['fetch'];
