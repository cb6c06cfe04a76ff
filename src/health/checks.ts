import type { ResolvedChecks } from '../config/options.js';
import { authorizationOf, type EndpointState } from '../endpoints/endpoint.js';
import { failureReason } from '../transports/classify.js';

/** Where check results go: the health tracker. */
export type CheckReport = (endpoint: EndpointState, passed: boolean, reason: string) => void;

/**
 * Active health checks (docs/architecture.md, "Endpoint health"): one loop per endpoint, every
 * `interval` ± `jitter`, the first at a random point of the first interval so that clients and
 * endpoints do not check in step. Background work: its timers are `unref()`ed, and everything
 * stops when an endpoint leaves or the client closes.
 */
export class ActiveChecks {
  readonly #options: ResolvedChecks;
  readonly #report: CheckReport;
  readonly #timers = new Map<EndpointState, ReturnType<typeof setTimeout>>();
  /** What ends each check running now at once, failing it and aborting its signal with the reason given. */
  readonly #running = new Set<(reason: Error) => void>();
  #stopped = false;

  constructor(options: ResolvedChecks, report: CheckReport) {
    this.#options = options;
    this.#report = report;
  }

  /** Starts checking new endpoints and stops checking the ones that left. */
  sync(list: readonly EndpointState[]): void {
    if (this.#stopped) return;
    const current = new Set(list);
    for (const [e, timer] of this.#timers) {
      if (!current.has(e)) {
        clearTimeout(timer);
        this.#timers.delete(e);
      }
    }
    for (const e of list) {
      if (!this.#timers.has(e) && this.#checkable(e)) this.#schedule(e, Math.random() * this.#options.interval);
    }
  }

  /** Stops every check, running ones included. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    // A check that ignores its signal may never settle: end its wait (and its timeout timer) here.
    for (const end of this.#running) end(new Error('client closed'));
    this.#running.clear();
  }

  #checkable(e: EndpointState): boolean {
    return this.#options.check !== undefined || e.protocol === 'http:' || e.protocol === 'https:';
  }

  #schedule(e: EndpointState, ms: number): void {
    const timer = setTimeout(() => void this.#run(e), ms);
    timer.unref();
    this.#timers.set(e, timer);
  }

  /**
   * One check. It counts as failed ('timeout') once `timeout` passes, whether or not it heeds
   * its aborted signal: the next one is scheduled as usual, and a late result of the abandoned
   * check is ignored (a check that never settles would otherwise stop checks of its endpoint).
   */
  async #run(e: EndpointState): Promise<void> {
    if (this.#stopped || e.retired) return;
    const options = this.#options;
    const controller = new AbortController();
    let end!: (reason: Error) => void;
    const ended = new Promise<Outcome>((resolve) => {
      end = (reason) => {
        clearTimeout(timer);
        resolve({ passed: false, reason: 'timeout' });
        controller.abort(reason);
      };
    });
    const timer = setTimeout(() => end(new Error('health check timed out')), options.timeout);
    timer.unref();
    this.#running.add(end);
    let outcome: Outcome;
    try {
      outcome = await Promise.race([this.#attempt(e, controller.signal), ended]);
    } finally {
      clearTimeout(timer);
      this.#running.delete(end);
    }
    if (this.#stopped || e.retired) return;
    this.#report(e, outcome.passed, outcome.reason);
    const spread = options.interval * options.jitter * (2 * Math.random() - 1);
    this.#schedule(e, Math.max(1, options.interval + spread));
  }

  /** Runs the check; never rejects (a throw or rejection is a failure). */
  async #attempt(e: EndpointState, signal: AbortSignal): Promise<Outcome> {
    const options = this.#options;
    try {
      if (options.check !== undefined) {
        const passed = (await options.check(e, { signal })) === true;
        return { passed, reason: passed ? 'passed' : 'check returned false' };
      }
      return await httpCheck(e, options.path, signal);
    } catch (err) {
      return { passed: false, reason: signal.aborted ? 'timeout' : failureReason(err) };
    }
  }
}

/** What one check found. */
interface Outcome {
  passed: boolean;
  reason: string;
}

/** The default check: `GET path` on the endpoint; 2xx and 3xx pass. */
async function httpCheck(e: EndpointState, path: string, signal: AbortSignal): Promise<{ passed: boolean; reason: string }> {
  const auth = authorizationOf(e);
  const res = await fetch(e.url + path, { signal, redirect: 'manual', ...(auth === undefined ? {} : { headers: { authorization: auth } }) });
  await res.body?.cancel().catch(() => {});
  return { passed: res.status < 400, reason: `status ${res.status}` };
}
