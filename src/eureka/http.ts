// Eureka's REST calls: JSON in and out, errors as EurekaError without any header value. Which
// server a request goes to is servers.ts's choice; each error here names the server.
import { messageWithCause, requestSource, snippet, type SourceResponse } from '../discovery/http-source.js';
import { secretHider, withoutSecrets } from '../discovery/hide-secrets.js';
import { EurekaError } from './errors.js';
import type { ResolvedConnection } from './options.js';

/** What one request sends besides its path. */
export interface EurekaInit {
  readonly method?: string | undefined;
  readonly body?: string | undefined;
  readonly maxBytes?: number | undefined;
}

/** An answer, and the base URL of the server that gave it (no credentials: they are refused in `url`). */
export interface EurekaAnswer extends SourceResponse {
  readonly server: string;
}

/** Sends one request to `{server}{path}`; a network failure or timeout becomes a EurekaError naming the URL. */
export async function eurekaRequest(c: ResolvedConnection, server: string, path: string, signal: AbortSignal, init: EurekaInit = {}): Promise<EurekaAnswer> {
  const url = `${server}${path}`;
  const headers: Record<string, string> = { ...c.headers, accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await requestSource(c.fetch, { url, method: init.method, headers, body: init.body, timeout: c.timeout, maxBytes: init.maxBytes ?? 1024 * 1024 }, url, signal);
    return { ...res, server };
  } catch (err) {
    if (signal.aborted) throw err;
    const hide = hiderOf(c.headers);
    throw new EurekaError(c.app, hide(messageWithCause(err)), undefined, { cause: withoutSecrets(err, hide) });
  }
}

/** The JSON object of a 200 answer, or a EurekaError saying what was wrong. */
export function jsonObject(c: ResolvedConnection, res: EurekaAnswer, what: string): Record<string, unknown> {
  if (res.status !== 200) throw failed(c, res, what);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new EurekaError(c.app, `Eureka at ${res.server} answered ${what} with a body that is not JSON (was Accept: application/json ignored?)`, res.status);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new EurekaError(c.app, `Eureka at ${res.server} answered ${what} with JSON that is not an object`, res.status);
  return body as Record<string, unknown>;
}

/** A EurekaError for an unexpected status, naming the server that answered it. */
export function failed(c: ResolvedConnection, res: EurekaAnswer, what: string): EurekaError {
  // Hidden before the cut: a secret the cut splits would no longer be found, and its start would show.
  const body = snippet(hiderOf(c.headers)(res.text));
  return new EurekaError(c.app, `Eureka at ${res.server} answered ${what} with ${res.status}${body === '' ? '' : `: ${body}`}`, res.status);
}

/**
 * Hides header values (credentials) in text that may echo them: each whole value, and the
 * credentials of a `Scheme credentials` value (`Basic dXNl…`, `Bearer eyJ…`) on their own, as a
 * server that refuses them may echo just those.
 */
function hiderOf(headers: Record<string, string>): (text: string) => string {
  return secretHider(Object.values(headers).flatMap((v) => [v, /^[\w!#$%&'*+.^`|~-]+ +(\S.*)$/.exec(v)?.[1]]));
}
