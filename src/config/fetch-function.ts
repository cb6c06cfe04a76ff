// The types of createClient's `fetch` option, apart: what it accepts is a choice worth its own explanation.

/**
 * A fetch function, as you would type a wrapper or test double of yours: the global `fetch`'s
 * parameters (compared both ways: it is declared as a method), `init` without `dispatcher`,
 * resolving with a `Response`. Any such function is a {@link FetchOption}.
 *
 * @example
 * const logged: FetchFunction = (input, init) => {
 *   console.log(init?.method ?? 'GET', String(input));
 *   return fetch(input, init);
 * };
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: logged });
 */
export type FetchFunction = { fetch(input: string | URL | Request, init?: Omit<RequestInit, 'dispatcher'>): Promise<Response> }['fetch'];

/**
 * What the `fetch` option takes: Node's global `fetch`, undici's own (`import { fetch } from
 * 'undici'`, undici 8), or a wrapper or test double of yours ({@link FetchFunction}), resolving
 * with a `Response` (an answer that is not one fails the call with `PluginError`, `plugin:
 * 'fetch'`). bulwark calls it with the attempt's URL as a string and a `RequestInit`: your call's
 * init with the attempt's `signal` (and `headers` with the endpoint's `authorization`; a stream
 * `body` passed through a relay of bulwark's), and, only when it is Node's own fetch, a
 * `dispatcher` of bulwark's, which aborts the attempt in the signal's place. Typed by what
 * bulwark passes ({@link FetchInit}) and reads ({@link FetchedResponse}) rather than as the global
 * `fetch`: undici 8's fetch has its own copy of the fetch types (its `Request`, `RequestInit`,
 * `Response`, `Headers` and `Blob` are not the ones Node's types or the DOM lib bundle), and is
 * accepted all the same, with or without the DOM lib.
 *
 * @example
 * import { fetch as undiciFetch } from 'undici';
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: undiciFetch });
 * createClient({ name: 'users', discovery: ['http://10.0.0.1:8080'], fetch: (input, init) => {
 *   console.log(init?.method ?? 'GET', input);
 *   return fetch(input, init);
 * } });
 */
export type FetchOption = { fetch(input: string, init?: FetchInit): Promise<FetchedResponse> }['fetch'];

/**
 * The `init` bulwark passes a fetch function: the call's `RequestInit` without `dispatcher`, its
 * `body` and `headers` typed loosely, since the DOM lib's types of those and undici 8's differ (a
 * `Blob` or `Headers` of one is not one of the other to TypeScript) while both fetches take what
 * `client.fetch` passes on.
 *
 * @example
 * const fetchOption: FetchOption = (input: string, init?: FetchInit) => fetch(input, init);
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchInit = Omit<RequestInit, 'dispatcher' | 'body' | 'headers'> & { body?: any; headers?: any };

/**
 * What a {@link FetchOption} resolves with, as its type says: a Response by its shape, the
 * members bulwark checks an answer for at run time (what `client.fetch` returns is that
 * Response). Undici's own Response and the DOM lib's differ in members these leave out; an
 * object without them (`{ status: 200, headers }`) is refused, by the types and at run time
 * (`PluginError`).
 *
 * @example
 * const answer: FetchedResponse = await undiciFetch('http://10.0.0.1:8080/v1/users/42');
 */
export interface FetchedResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}
