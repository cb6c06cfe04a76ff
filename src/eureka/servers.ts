// The Eureka servers of the `url` option (one, or a list as Spring's `defaultZone` writes it),
// and the failover between them that Eureka's own client does (RetryableEurekaHttpClient):
// requests go to the server that answered last; a network error or a 5xx moves on to the next.
import { checkBaseUrl } from '../discovery/http-source.js';
import { ConfigError } from '../errors.js';
import { EurekaError } from './errors.js';
import { eurekaRequest, failed, type EurekaAnswer, type EurekaInit } from './http.js';
import type { ResolvedConnection } from './options.js';

const URL_RULE = 'must be an http:// or https:// URL without credentials, query or fragment';

/**
 * The `url` option as a list of base URLs (each without a trailing slash): a string, or an
 * array of strings, each split at commas (`'http://peer1/eureka,http://peer2/eureka'`). Every
 * URL is checked as a single one is (http or https; no userinfo, query or fragment).
 * @throws ConfigError naming `url` (or `url[i]`, the i-th URL of a list), credentials not shown.
 */
export function checkServers(who: string, url: unknown): readonly string[] {
  // Neither a string nor an array (a URL object, say): refused as a single URL always was.
  if (!Array.isArray(url) && typeof url !== 'string') return [checkBaseUrl(url, who)];
  const given: readonly unknown[] = Array.isArray(url) ? url : [url];
  const entries = given.flatMap((u) => (typeof u === 'string' ? u.split(',').map((s) => s.trim()) : [u]));
  if (entries.length === 0) throw new ConfigError(who, 'url', 'must name at least one Eureka server', url);
  if (entries.length === 1) return [checkBaseUrl(entries[0], who)];
  return entries.map((entry, i) => {
    try {
      return checkBaseUrl(entry, who);
    } catch {
      throw new ConfigError(who, `url[${i}]`, `${URL_RULE} (server ${i + 1} of the ${entries.length} in url)`, entry);
    }
  });
}

/**
 * Requests to a list of Eureka servers. Each request starts at the current server (the first,
 * at the start) and, on a network error, a timeout or a 5xx, tries the next ones in order, each
 * once; the server that answers becomes the current one. Any other answer (a 4xx, a 200 with a
 * body that cannot be read) is the server's answer: no other server is asked. When every server
 * failed, the next request starts again from the first.
 */
export class EurekaServers {
  readonly #c: ResolvedConnection;
  #current = 0;

  constructor(c: ResolvedConnection) {
    this.#c = c;
  }

  /**
   * Sends `init.method` (GET) `path` to the current server, then to the next ones while they
   * fail. Rejects with the abort reason when `signal` aborts, and with a EurekaError naming
   * each server and its failure when none answered.
   */
  async request(path: string, signal: AbortSignal, init: EurekaInit = {}): Promise<EurekaAnswer> {
    const { servers } = this.#c;
    const failures: EurekaError[] = [];
    for (let tried = 0; tried < servers.length; tried++) {
      const i = (this.#current + tried) % servers.length;
      const server = servers[i]!;
      try {
        const res = await eurekaRequest(this.#c, server, path, signal, init);
        if (res.status < 500) {
          this.#current = i;
          return res;
        }
        failures.push(failed(this.#c, res, `${init.method ?? 'GET'} ${path}`));
      } catch (err) {
        if (signal.aborted || !(err instanceof EurekaError)) throw err;
        failures.push(err);
      }
    }
    this.#current = 0;
    if (servers.length === 1) throw failures[0]!;
    // The status every server answered with, if they all answered the same one.
    const statuses = new Set(failures.map((f) => f.status));
    const status = statuses.size === 1 ? [...statuses][0] : undefined;
    // Each failure's message without its `APP: ` prefix (EurekaError's), which the whole one has.
    const each = failures.map((f) => f.message.slice(this.#c.app.length + 2)).join('; ');
    throw new EurekaError(this.#c.app, `none of the ${servers.length} Eureka servers answered ${init.method ?? 'GET'} ${path}: ${each}`, status, { cause: new AggregateError(failures, "each Eureka server's failure") });
  }
}
