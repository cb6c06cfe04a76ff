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
  readonly #running = new Set<AbortController>();
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
    for (const controller of this.#running) controller.abort(new Error('client closed'));
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

  async #run(e: EndpointState): Promise<void> {
    if (this.#stopped || e.retired) return;
    const options = this.#options;
    const controller = new AbortController();
    this.#running.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('health check timed out')), options.timeout);
    timer.unref();
    let passed = false;
    let reason: string;
    try {
      if (options.check !== undefined) {
        passed = (await options.check(e, { signal: controller.signal })) === true;
        reason = passed ? 'passed' : 'check returned false';
      } else {
        ({ passed, reason } = await httpCheck(e, options.path, controller.signal));
      }
    } catch (err) {
      reason = controller.signal.aborted ? 'timeout' : failureReason(err);
    } finally {
      clearTimeout(timer);
      this.#running.delete(controller);
    }
    if (this.#stopped || e.retired) return;
    this.#report(e, passed, reason);
    const spread = options.interval * options.jitter * (2 * Math.random() - 1);
    this.#schedule(e, Math.max(1, options.interval + spread));
  }
}

/** The default check: `GET path` on the endpoint; 2xx and 3xx pass. */
async function httpCheck(e: EndpointState, path: string, signal: AbortSignal): Promise<{ passed: boolean; reason: string }> {
  const auth = authorizationOf(e);
  const res = await fetch(e.url + path, { signal, redirect: 'manual', ...(auth === undefined ? {} : { headers: { authorization: auth } }) });
  await res.body?.cancel().catch(() => {});
  return { passed: res.status < 400, reason: `status ${res.status}` };
}
