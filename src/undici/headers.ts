import { FormData as UndiciFormData, type Dispatcher } from 'undici';

type Headers = Dispatcher.DispatchOptions['headers'];

/**
 * `headers` with `authorization: value` added unless one is there: for endpoints whose URL
 * carried userinfo (the value never appears on the endpoint objects users see).
 */
export function withAuthorization(headers: Headers, value: string): Headers {
  if (headers === undefined || headers === null) return { authorization: value };
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'authorization') return headers;
    return [...(headers as string[]), 'authorization', value];
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    // An iterable (Headers, Map) yields [name, value] pairs; an array undici reads flat: [name, value, name, value, …].
    const flat: (string | string[] | undefined)[] = [];
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) {
      if (String(k).toLowerCase() === 'authorization') return headers;
      flat.push(k, v);
    }
    flat.push('authorization', value);
    return flat as Headers;
  }
  for (const key of Object.keys(headers)) if (key.toLowerCase() === 'authorization') return headers;
  return { ...(headers as Record<string, string | string[]>), authorization: value };
}

/**
 * Whether undici can send this request body again: strings, buffers and FormData, not streams or
 * iterables. The FormData is undici's own: undici 8 refuses any other class (Node's global one included).
 */
export function isReplayable(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) return true;
  if (typeof body !== 'object') return true;
  if (typeof (body as { pipe?: unknown }).pipe === 'function' || body instanceof ReadableStream) return false;
  return !(Symbol.asyncIterator in body || (Symbol.iterator in body && !(body instanceof UndiciFormData)));
}
