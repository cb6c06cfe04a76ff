import type { CallHost } from '../call.js';

/** One endpoint in a {@link ClientStats} snapshot. */
export interface EndpointStats {
  readonly id: string;
  readonly url: string;
  readonly weight: number;
  readonly priority: number;
  readonly zone: string | undefined;
  /** Attempts running now. */
  readonly inflight: number;
  /** Peak-EWMA latency estimate in ms (0 before the first response). */
  readonly latency: number;
  readonly successes: number;
  readonly failures: number;
}

/** What `client.stats()` returns: a plain object, safe to log or serialise (no secrets). */
export interface ClientStats {
  readonly name: string;
  readonly picker: string;
  readonly closed: boolean;
  readonly endpoints: readonly EndpointStats[];
  readonly calls: { readonly started: number; readonly succeeded: number; readonly failed: number; readonly inflight: number };
  readonly attempts: number;
  readonly retries: number;
  /** Retries refused because the retry budget was spent. */
  readonly budgetExhausted: number;
  /** Retries the budget allows right now; `null` when there is no budget. */
  readonly budgetRemaining: number | null;
}

/** Builds a snapshot of a client's state. */
export function stats(host: CallHost, closed: boolean): ClientStats {
  const now = host.now();
  const c = host.counters;
  return {
    name: host.options.name,
    picker: host.picker.name,
    closed,
    endpoints: host.registry.list.map((e) => ({
      id: e.id, url: e.url, weight: e.weight, priority: e.priority, zone: e.zone,
      inflight: e.inflight, latency: round(e.latency.estimate(now)), successes: e.successes, failures: e.failures,
    })),
    calls: { started: c.started, succeeded: c.succeeded, failed: c.failed, inflight: host.active.size },
    attempts: c.attempts,
    retries: c.retries,
    budgetExhausted: c.budgetExhausted,
    budgetRemaining: host.budget === undefined ? null : host.budget.remaining(now),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
