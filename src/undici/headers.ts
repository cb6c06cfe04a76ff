import { errors as undiciErrors, FormData as UndiciFormData, Headers as UndiciHeaders, type Dispatcher } from 'undici';

type Headers = Dispatcher.DispatchOptions['headers'];

/**
 * `headers` with `authorization: value` added unless one is there: for endpoints whose URL
 * carried userinfo (the value never appears on the endpoint objects users see). An
 * `authorization` whose value is `undefined` (or an empty list) is none: undici leaves such a
 * header out, so it is replaced (`headers: { authorization: token }` with no token).
 */
export function withAuthorization(headers: Headers, value: string): Headers {
  if (headers === undefined || headers === null) return { authorization: value };
  // Not an object (a string): undici refuses it, as it would without the authorization.
  if (typeof headers !== 'object') return headers;
  if (Array.isArray(headers)) {
    const flat: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() !== 'authorization') flat.push(headers[i], headers[i + 1]);
      else if (isSent(headers[i + 1])) return headers;
    }
    return [...flat, 'authorization', value] as Headers;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    // An iterable (Headers, Map) yields [name, value] pairs; an array undici reads flat: [name, value, name, value, …].
    const flat: unknown[] = [];
    for (const pair of headers as Iterable<unknown>) {
      const [k, v] = checkedPair(pair);
      if (String(k).toLowerCase() !== 'authorization') flat.push(k, v);
      else if (isSent(v)) return headers;
    }
    flat.push('authorization', value);
    return flat as Headers;
  }
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== 'authorization') copy[k] = v;
    else if (isSent(v)) return headers;
  }
  copy.authorization = value;
  return copy as Headers;
}

/**
 * `headers` that every attempt sends alike: an iterable of `[name, value]` pairs other than an
 * array, a Headers, a Map or a Set (which every attempt reads afresh) may yield its pairs only
 * once (a generator, or an object whose iterator is one), so it is read once into undici's flat
 * form, `[name, value, name, value, …]`, each entry checked as undici checks it. Anything else (a
 * plain object, and what undici refuses, such as a string) is returned as it is.
 *
 * @example
 * const headers = replayableHeaders(function* () { yield ['x-token', 'abc']; }()); // ['x-token', 'abc']
 */
function replayableHeaders<H extends Headers>(headers: H): H {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers) || rereadable(headers)) return headers;
  if (typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') return headers;
  const flat: unknown[] = [];
  for (const pair of headers as Iterable<unknown>) flat.push(...checkedPair(pair));
  return flat as H;
}

/**
 * `options` with its `headers` made {@link replayableHeaders}: itself when they are already, else
 * a copy (the caller's object is left as it is).
 *
 * @example
 * const routed = withReplayableHeaders(opts); // before the first attempt, and before `key` reads it
 */
export function withReplayableHeaders<O extends { readonly headers?: Headers }>(options: O): O {
  const headers = replayableHeaders(options.headers);
  return headers === options.headers ? options : { ...options, headers };
}

/** The iterables undici reads headers from that every attempt can read again. */
function rereadable(headers: object): boolean {
  return headers instanceof globalThis.Headers || headers instanceof UndiciHeaders || headers instanceof Map || headers instanceof Set;
}

/** One `[name, value]` entry of iterable headers, refused as undici refuses an entry that is not a pair. */
function checkedPair(pair: unknown): [unknown, unknown] {
  if (!Array.isArray(pair) || pair.length !== 2) throw new undiciErrors.InvalidArgumentError('headers must be in key-value pair format');
  return [pair[0], pair[1]];
}

/** Whether undici sends a header with this value: not `undefined`, nor an empty list. */
function isSent(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/**
 * Whether undici can send this request body again: strings, bytes (any typed array or DataView,
 * which undici sends as their bytes, and ArrayBuffers), Blobs and FormData; not streams or
 * iterables. The FormData is undici's own: undici 8 refuses any other class (Node's global one included).
 */
export function isReplayable(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string' || ArrayBuffer.isView(body)) return true;
  if (typeof body !== 'object') return true;
  if (typeof (body as { pipe?: unknown }).pipe === 'function' || body instanceof ReadableStream) return false;
  return !(Symbol.asyncIterator in body || (Symbol.iterator in body && !(body instanceof UndiciFormData)));
}

/** Whether a response header announces the body: `content-length` or `transfer-encoding`. */
function announcesBody(name: unknown): boolean {
  const n = String(name).toLowerCase();
  return n === 'content-length' || n === 'transfer-encoding';
}

/**
 * Response `headers` without those that announce the body (`content-length`,
 * `transfer-encoding`), in the form they came: an object, or a flat list of names and values
 * (`responseHeaders: 'raw'`, a controller's `rawHeaders`). For a response whose body was read away.
 *
 * @example
 * const kept = withoutBodyHeaders(res.headers); // a retried 503's, body gone
 */
export function withoutBodyHeaders<T>(headers: T): T {
  if (Array.isArray(headers)) {
    const flat: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (!announcesBody(headers[i])) flat.push(headers[i], headers[i + 1]);
    return flat as T;
  }
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (!announcesBody(k)) copy[k] = v;
  return copy as T;
}
