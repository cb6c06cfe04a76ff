// The type of createClient's `fetch` option, apart: what it accepts is a choice worth its own explanation.

/**
 * What the `fetch` option takes: Node's global `fetch`, undici's own (`import { fetch } from
 * 'undici'`, undici 8), or a wrapper or test double of yours, resolving with a `Response` (an
 * answer that is not one fails the call with `PluginError`, `plugin: 'fetch'`).
 * bulwark calls it with the attempt's URL as a string and a `RequestInit`: your call's init with
 * the attempt's `signal` (and `headers` with the endpoint's `authorization`; a stream `body`
 * passed through a relay of bulwark's), and, only when it is Node's own fetch, a `dispatcher`
 * of bulwark's, which aborts the attempt in the signal's place. Its parameters are those of the global
 * `fetch`'s, compared both ways (it is declared as a method), with `input` only ever a string and
 * `init` without `dispatcher`, and it resolves with a {@link FetchedResponse}: a fetch typed with
 * its own copy of the fetch types, as undici 8's is (its `Request`, `RequestInit`, `Response` and
 * `Dispatcher` are not the ones Node's types or the DOM lib bundle), is then accepted too.
 *
 * @example
 * import { fetch as undiciFetch } from 'undici';
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: undiciFetch });
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: (input, init) => {
 *   console.log(init?.method ?? 'GET', input);
 *   return fetch(input, init);
 * } });
 */
export type FetchFunction = { fetch(input: string, init?: FetchInit): Promise<FetchedResponse> }['fetch'];

/**
 * The `init` bulwark passes a fetch function: the call's `RequestInit` without `dispatcher`, its
 * `body` and `headers` typed loosely, since the DOM lib's types of those and undici 8's differ (a
 * `Blob` or `Headers` of one is not one of the other to TypeScript) while both fetches take what
 * `client.fetch` passes on.
 *
 * @example
 * const logged: FetchFunction = (input, init?: FetchInit) => { console.log(init?.method); return fetch(input, init); };
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchInit = Omit<RequestInit, 'dispatcher' | 'body' | 'headers'> & { body?: any; headers?: any };

/**
 * What a fetch function resolves with, as far as its type says: a Response, read for its status
 * and headers (what `client.fetch` then returns is that Response). Typed by its shape rather than
 * as the global `Response`: undici's own differs from the DOM lib's (a project whose `lib`
 * includes `"dom"`, TypeScript's default) in members bulwark never reads.
 *
 * @example
 * const answer: FetchedResponse = await undiciFetch('http://10.0.0.1:8080/v1/users/42');
 */
export interface FetchedResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
}
