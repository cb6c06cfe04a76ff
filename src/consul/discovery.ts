// consulDiscovery: Consul's health endpoint read with blocking queries, following Consul's
// "Blocking Queries" implementation notes: reset an index that goes backwards, never block on
// an index below 1, rate-limit the loop, allow for the wait/16 jitter, back off on errors.
import { BulwarkError } from '../errors.js';
import type { Discovery } from '../discovery/discovery.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { loopDiscovery, type DiscoveryLoop, rejectOnce, retrySource, setPusher, sleep, type RejectOnce, type SetPusher } from '../discovery/support.js';
import { secretHider, withoutSecrets } from '../discovery/hide-secrets.js';
import { messageWithCause, requestSource, snippet } from '../discovery/http-source.js';
import { messageOf } from '../message-of.js';
import { mapEntries } from './entries.js';
import { resolveConsulOptions, type ConsulDiscoveryOptions, type ResolvedConsulOptions } from './options.js';

/**
 * Consul answered with an error status or with something that is not the documented shape.
 * `status` is the HTTP status when there was one. The message never holds the ACL token.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof ConsulError && error.status === 403) alertAclProblem(); });
 */
export class ConsulError extends BulwarkError {
  /** The HTTP status Consul answered with, if it answered. */
  readonly status: number | undefined;
  /**
   * @example
   * throw new ConsulError('users', 'users: Consul answered 403', 403);
   */
  constructor(service: string, message: string, status?: number, options?: { cause?: unknown }) {
    super('ERR_BULWARK_CONSUL', service, `${service}: ${message}`, options);
    this.status = status;
  }
}

/** One answer of the health endpoint: its `X-Consul-Index` and its entries. */
interface Answer {
  readonly index: bigint;
  readonly entries: readonly unknown[];
  /** Consul hid entries the token may not read (`X-Consul-Results-Filtered-By-ACLs`, Consul ≥ 1.13). */
  readonly filtered: boolean;
}

/**
 * Discovery from Consul's `/v1/health/service/:service` with blocking queries: the set follows
 * a change as soon as Consul reports it. Healthy instances only (`passingOnly`, default true);
 * address from `Service.Address` (else `Node.Address`), `Service.Port`, weight from
 * `Service.Weights`, metadata from `Service.Meta` plus `consul.tags` (the tags joined with
 * `,`), `consul.node`, `consul.serviceId`, `consul.datacenter`, `consul.health`; zone from the
 * `zoneMetaKey` meta entry. Consul unreachable: the client keeps the last good set, a
 * `discoveryError` says why, and the adapter retries with backoff.
 *
 * @example
 * import { consulDiscovery } from 'bulwark/consul';
 * const users = createClient({ name: 'users', discovery: consulDiscovery({ service: 'users', url: 'http://127.0.0.1:8500', token: process.env.CONSUL_HTTP_TOKEN }) });
 */
export function consulDiscovery(options: ConsulDiscoveryOptions): Discovery {
  const settings = resolveConsulOptions(options);
  return loopDiscovery((loop) => run(settings, loop));
}

async function run(o: ResolvedConsulOptions, { signal, update, error, rejected }: DiscoveryLoop): Promise<void> {
  let index = 0n;
  const sets = setPusher(update, error);
  // An entry rejected again at every index change is reported once while it stays the same.
  const rejections = rejectOnce(rejected);
  // `minInterval` holds between every two requests, retries of a failed one included.
  const backoff = { min: Math.max(o.backoff.min, o.minInterval), max: Math.max(o.backoff.max, o.minInterval) };
  // Whether ACLs hid instances from the last answer: Consul's index follows the catalog, not
  // ACLs, so an answer at the same index may then differ (the token's policy changed).
  let filtered = false;
  // After a failed refresh the next answer is applied even when its index is unchanged, so that
  // its set is pushed (setPusher pushes the first set after an error).
  let failed = false;
  const refreshFailed = (err: unknown): void => {
    failed = true;
    sets.error(err);
  };
  while (!signal.aborted) {
    const started = performance.now();
    let answer: Answer;
    try {
      const asked = index;
      // A retry after a failure does not block: a Consul back with nothing changed would hold it
      // for the whole `wait`, and the error with it (a NoEndpointsError would still name it).
      answer = await retrySource(() => query(o, failed ? 0n : asked, signal), signal, refreshFailed, backoff);
    } catch {
      return; // only an abort ends retrySource
    }
    if (signal.aborted) return;
    const previous = index;
    // Consul: an index below 1 is a bug of the server's and would not block: use 1 (a 0 after a
    // 1 is no step backwards). An index lower than the last one means the data was reset (a
    // snapshot restore…): start over with a non-blocking read.
    if (answer.index <= 0n) index = 1n;
    else if (answer.index < previous) index = 0n;
    else index = answer.index;
    const aclsInPlay = filtered || answer.filtered;
    filtered = answer.filtered;
    if (failed || previous === 0n || answer.index !== previous || aclsInPlay) {
      failed = false;
      try {
        apply(o, answer, sets, rejections);
      } catch (err) {
        // Nothing in an answer may end the loop: report it, keep the last set, and go on.
        sets.error(new ConsulError(o.service, `could not read Consul's answer (${messageOf(err)}); keeping the last good set`, undefined, { cause: err }));
      }
    }
    await sleep(o.minInterval - (performance.now() - started), signal);
  }
}

/** Maps one answer and pushes its set (when it changed, or after an error), or reports why not. */
function apply(o: ResolvedConsulOptions, answer: Answer, sets: SetPusher, rejections: RejectOnce): void {
  const { endpoints, rejected: dropped } = mapEntries(answer.entries, o);
  rejections.report(dropped);
  if (answer.entries.length === 0 && answer.filtered) {
    // An empty answer because of ACLs is a token problem, not a service without instances.
    sets.error(new ConsulError(o.service, 'Consul hid every instance from this token (X-Consul-Results-Filtered-By-ACLs): it needs service:read and node:read; keeping the last good set'));
    return;
  }
  // Kept only when every instance was invalid: ones left out on purpose (critical) make a real set.
  if (endpoints.length === 0 && dropped.length > 0 && dropped.length === answer.entries.length) {
    sets.error(new ConsulError(o.service, `every one of the ${dropped.length} instances Consul returned was invalid; keeping the last good set`));
    return;
  }
  sets.push(endpoints);
}

/** One request: blocking when `index` > 0, for at most `wait` plus Consul's jitter (wait/16) plus `timeout`. */
async function query(o: ResolvedConsulOptions, index: bigint, signal: AbortSignal): Promise<Answer> {
  const params = new URLSearchParams();
  if (o.datacenter !== undefined) params.append('dc', o.datacenter);
  for (const tag of o.tags) params.append('tag', tag);
  if (o.passingOnly) params.append('passing', 'true');
  if (index > 0n) {
    params.append('index', index.toString());
    params.append('wait', `${Math.ceil(o.wait)}ms`);
  }
  const query = params.toString();
  const url = `${o.url}/v1/health/service/${encodeURIComponent(o.service)}${query === '' ? '' : `?${query}`}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.token !== undefined) headers['x-consul-token'] = o.token;
  const timeout = index > 0n ? o.wait + o.wait / 16 + o.timeout : o.timeout;
  let res;
  try {
    res = await requestSource(o.fetch, { url, headers, timeout, maxBytes: o.maxResponseBytes }, url, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    const hide = secretHider([o.token]);
    throw new ConsulError(o.service, hide(messageWithCause(err)), undefined, { cause: withoutSecrets(err, hide) });
  }
  // Hidden before the cut: a token the cut splits would no longer be found, and its start would show.
  if (res.status !== 200) throw new ConsulError(o.service, `Consul answered ${res.status}: ${snippet(secretHider([o.token])(res.text))}`, res.status);
  const header = res.headers.get('x-consul-index');
  if (header === null || !/^\d{1,20}$/.test(header)) throw new ConsulError(o.service, 'Consul answered without a valid X-Consul-Index header', res.status);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new ConsulError(o.service, 'Consul answered with a body that is not JSON', res.status);
  }
  if (!Array.isArray(body)) throw new ConsulError(o.service, 'Consul answered with JSON that is not an array of health entries', res.status);
  return { index: BigInt(header), entries: body, filtered: res.headers.get('x-consul-results-filtered-by-acls') === 'true' };
}

