import { MAX_TIMER_MS } from '../config/fields.js';
import type { ResolvedChecks } from '../config/resolved.js';
import { authorizationOf, type LiveEndpoint } from '../endpoints/endpoint.js';
import { typeShown } from '../redact.js';
import { failureReason } from '../transports/classify.js';
import type { EndpointHealth } from './endpoint-health.js';

/** Where check results go: the health tracker. */
export type CheckReport = (endpoint: LiveEndpoint, passed: boolean, reason: string) => void;

/** What one check found. */
export interface CheckOutcome {
  passed: boolean;
  reason: string;
}

/**
 * How the default check sends `GET path` to an endpoint: with the client's `fetch`, or through
 * the undici client's own pools (its TLS options and server names), as that client's calls go.
 */
export type HttpCheck = (e: LiveEndpoint, path: string, signal: AbortSignal) => Promise<CheckOutcome>;

/**
 * Active health checks (docs/architecture.md, "Endpoint health"): one loop per endpoint, every
 * `interval` ± `jitter`, the first at a random point of the first interval so that clients and
 * endpoints do not check in step. Background work: its timers are `unref()`ed, and everything
 * stops when an endpoint leaves or the client closes.
 */
export class ActiveChecks {
  readonly #options: ResolvedChecks;
  readonly #report: CheckReport;
  /**
   * The endpoints checked now, each with its loop's timer: the next check's, or the one that
   * started the check running now. A loop goes on only while its endpoint holds the timer it set.
   */
  readonly #timers = new Map<LiveEndpoint, ReturnType<typeof setTimeout>>();
  /** What ends each check running now at once (failing it and aborting its signal with the reason given), with its endpoint. */
  readonly #running = new Map<(reason: Error) => void, LiveEndpoint>();
  #stopped = false;
  #http: HttpCheck;

  constructor(options: ResolvedChecks, report: CheckReport) {
    this.#options = options;
    this.#report = report;
    const fetch = options.fetch ?? globalThis.fetch;
    this.#http = (e, path, signal) => fetchCheck(fetch, e, path, signal);
  }

  /** Sends the default check another way (the undici client's pools); a `check` of the user's still wins. */
  useHttp(check: HttpCheck): void {
    this.#http = check;
  }

  /**
   * Starts checking new endpoints and stops checking the ones that left (the registry's, or this
   * client's subset): a check of one running now is abandoned, and its result ignored.
   */
  sync(list: readonly LiveEndpoint[]): void {
    if (this.#stopped) return;
    const current = new Set(list);
    for (const [e, timer] of this.#timers) {
      if (!current.has(e)) {
        clearTimeout(timer);
        this.#timers.delete(e);
      }
    }
    for (const [end, e] of this.#running) if (!current.has(e)) end(new Error('endpoint no longer checked'));
    for (const e of list) {
      if (!this.#timers.has(e) && this.judges(e)) this.#schedule(e, Math.random() * this.#options.interval);
    }
  }

  /** Stops every check, running ones included. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    // A check that ignores its signal may never settle: end its wait (and its timeout timer) here.
    for (const end of this.#running.keys()) end(new Error('client closed'));
    this.#running.clear();
  }

  /** Whether checks judge `e`: any endpoint with a check of the user's, http(s) ones with the default HTTP check. */
  judges(e: LiveEndpoint): boolean {
    return this.#options.check !== undefined || e.protocol === 'http:' || e.protocol === 'https:';
  }

  #schedule(e: LiveEndpoint, ms: number): void {
    const timer = setTimeout(() => void this.#run(e), ms);
    timer.unref();
    this.#timers.set(e, timer);
  }

  /**
   * One check. It counts as failed ('timeout') once `timeout` passes, whether or not it heeds
   * its aborted signal: the next one is scheduled as usual, and a late result of the abandoned
   * check is ignored (a check that never settles would otherwise stop checks of its endpoint).
   */
  async #run(e: LiveEndpoint): Promise<void> {
    const loop = this.#timers.get(e);
    if (this.#stopped || e.retired || loop === undefined) return;
    const options = this.#options;
    const controller = new AbortController();
    let end!: (reason: Error) => void;
    const ended = new Promise<CheckOutcome>((resolve) => {
      end = (reason) => {
        clearTimeout(timer);
        resolve({ passed: false, reason: 'timeout' });
        controller.abort(reason);
      };
    });
    const timer = setTimeout(() => end(new Error('health check timed out')), options.timeout);
    timer.unref();
    this.#running.set(end, e);
    let outcome: CheckOutcome;
    try {
      outcome = await Promise.race([this.#attempt(e, controller.signal), ended]);
    } finally {
      clearTimeout(timer);
      this.#running.delete(end);
    }
    // Stopped, or the endpoint left the checked ones meanwhile (it may be back, with a loop of its own).
    if (this.#stopped || e.retired || this.#timers.get(e) !== loop) return;
    this.#report(e, outcome.passed, outcome.reason);
    // The report ran the user's code (health listeners, a picker's update): it may have closed
    // the client or moved the endpoint out of the checked set, and then the loop ends here.
    if (this.#stopped || e.retired || this.#timers.get(e) !== loop) return;
    const spread = options.interval * options.jitter * (2 * Math.random() - 1);
    // At most Node's longest timer: a longer one fires after 1 ms.
    this.#schedule(e, Math.min(MAX_TIMER_MS, Math.max(1, options.interval + spread)));
  }

  /** Runs the check; never rejects (a throw or rejection is a failure). */
  async #attempt(e: LiveEndpoint, signal: AbortSignal): Promise<CheckOutcome> {
    const options = this.#options;
    try {
      if (options.check !== undefined) {
        const answer: unknown = await options.check(e, { signal });
        if (answer === true) return { passed: true, reason: 'passed' };
        // Anything but a boolean is a bug of the check's (an async check that forgot its return):
        // a failed check, saying so, rather than "returned false".
        return { passed: false, reason: answer === false ? 'check returned false' : `check returned ${typeShown(answer)}, not a boolean (a forgotten return?)` };
      }
      return await this.#http(e, options.path, signal);
    } catch (err) {
      return { passed: false, reason: signal.aborted ? 'timeout' : failureReason(err) };
    }
  }
}

/** The default check: `GET path` on the endpoint, with the client's `fetch`; 2xx and 3xx pass. */
async function fetchCheck(fetch: typeof globalThis.fetch, e: LiveEndpoint, path: string, signal: AbortSignal): Promise<CheckOutcome> {
  const auth = authorizationOf(e);
  const res = await fetch(e.url + path, { signal, redirect: 'manual', ...(auth === undefined ? {} : { headers: { authorization: auth } }) });
  await res.body?.cancel().catch(() => {});
  return { passed: res.status < 400, reason: `status ${res.status}` };
}

/**
 * Counts an active check's result on `h` and says what it does: `unhealthyThreshold` failures
 * in a row eject an endpoint that is not ejected; `healthyThreshold` passes in a row re-admit
 * one whose ejection is over, or at once one the checks ejected (as Envoy and Kubernetes do;
 * one its breaker or outlier detection ejected sits out its ejection first).
 *
 * @example
 * if (countCheck(h, passed, options) === 'eject') eject(e);
 */
export function countCheck(h: EndpointHealth, passed: boolean, options: Pick<ResolvedChecks, 'healthyThreshold' | 'unhealthyThreshold'>): 'readmit' | 'eject' | undefined {
  if (passed) {
    h.checksPassed++;
    h.checksFailed = 0;
    const back = h.status === 'probing' || (h.status === 'ejected' && h.ejectedByChecks);
    return back && h.checksPassed >= options.healthyThreshold ? 'readmit' : undefined;
  }
  h.checksFailed++;
  h.checksPassed = 0;
  return h.status !== 'ejected' && h.checksFailed >= options.unhealthyThreshold ? 'eject' : undefined;
}
