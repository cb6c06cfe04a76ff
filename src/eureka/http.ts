// Eureka's REST calls: JSON in and out, errors as EurekaError without any header value.
import { messageOf, requestSource, snippet, type SourceResponse } from '../discovery/http-source.js';
import { secretHider, withoutSecrets } from '../discovery/hide-secrets.js';
import { EurekaError } from './errors.js';
import type { ResolvedConnection } from './options.js';

/** Sends one request to `{url}{path}`; a network failure or timeout becomes a EurekaError. */
export async function eurekaRequest(c: ResolvedConnection, path: string, signal: AbortSignal, init: { method?: string; body?: string; maxBytes?: number } = {}): Promise<SourceResponse> {
  const url = `${c.url}${path}`;
  const headers: Record<string, string> = { ...c.headers, accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await requestSource(c.fetch, { url, method: init.method, headers, body: init.body, timeout: c.timeout, maxBytes: init.maxBytes ?? 1024 * 1024 }, url, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    const hide = hiderOf(c.headers);
    throw new EurekaError(c.app, hide(messageOf(err)), undefined, { cause: withoutSecrets(err, hide) });
  }
}

/** The JSON object of a 200 answer, or a EurekaError saying what was wrong. */
export function jsonObject(c: ResolvedConnection, res: SourceResponse, what: string): Record<string, unknown> {
  if (res.status !== 200) throw failed(c, res, what);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new EurekaError(c.app, `Eureka answered ${what} with a body that is not JSON (was Accept: application/json ignored?)`, res.status);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new EurekaError(c.app, `Eureka answered ${what} with JSON that is not an object`, res.status);
  return body as Record<string, unknown>;
}

/** A EurekaError for an unexpected status. */
export function failed(c: ResolvedConnection, res: SourceResponse, what: string): EurekaError {
  // Hidden before the cut: a secret the cut splits would no longer be found, and its start would show.
  const body = snippet(hiderOf(c.headers)(res.text));
  return new EurekaError(c.app, `Eureka answered ${what} with ${res.status}${body === '' ? '' : `: ${body}`}`, res.status);
}

/**
 * Hides header values (credentials) in text that may echo them: each whole value, and the
 * credentials of a `Scheme credentials` value (`Basic dXNl…`, `Bearer eyJ…`) on their own, as a
 * server that refuses them may echo just those.
 */
function hiderOf(headers: Record<string, string>): (text: string) => string {
  return secretHider(Object.values(headers).flatMap((v) => [v, /^[\w!#$%&'*+.^`|~-]+ +(\S.*)$/.exec(v)?.[1]]));
}
