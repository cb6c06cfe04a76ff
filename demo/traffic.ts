// Per-endpoint accounting for the live view: share of attempts, recent latency, in-flight,
// and a state read off recent outcomes: the only one the plain-fetch run has. For bulwark's run,
// main.ts shows the client's own health state instead where it has one (`ejected`, `probing`,
// from `client.stats().endpoints[].health`, demo/callers.ts).

/**
 * How one attempt ended: `refused` means the host is gone, `timeout` that it was too slow, `cut`
 * that a hedge to another host answered first (so it was slower than the client's p95).
 */
export type OutcomeKind = 'ok' | 'refused' | 'timeout' | 'cut' | 'failed';

export interface Outcome {
  readonly kind: OutcomeKind;
  readonly latency: number;
}

export interface EndpointRow {
  readonly host: string;
  readonly share: number;
  /** Mean latency of the last few attempts, ms. */
  readonly latency: number;
  readonly inflight: number;
  readonly state: string;
  /** No attempt in the last second: the caller is steering around it. */
  readonly idle: boolean;
}

const RECENT = 20;
const IDLE_AFTER = 1_000;

interface PerEndpoint {
  attempts: number;
  inflight: number;
  recent: Outcome[];
  lastAt: number;
}

/** Classifies a plain fetch's outcome by its error, walking the cause chain fetch wraps codes in. */
export function outcomeKind(ok: boolean, error: unknown): OutcomeKind {
  if (ok) return 'ok';
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 6; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ERR_BULWARK_TIMEOUT' || name === 'TimeoutError') return 'timeout';
    e = (e as { cause?: unknown }).cause;
  }
  return 'failed';
}

export class Traffic {
  readonly #byHost = new Map<string, PerEndpoint>();
  #total = 0;

  constructor(hosts: readonly string[]) {
    for (const host of hosts) this.#byHost.set(host, { attempts: 0, inflight: 0, recent: [], lastAt: -Infinity });
  }

  #get(host: string): PerEndpoint {
    let e = this.#byHost.get(host);
    if (e === undefined) {
      e = { attempts: 0, inflight: 0, recent: [], lastAt: -Infinity };
      this.#byHost.set(host, e);
    }
    return e;
  }

  /** For callers that can see an attempt start (the plain fetch phase). */
  begin(host: string): void {
    this.#get(host).inflight++;
  }

  end(host: string, outcome: Outcome): void {
    this.#get(host).inflight--;
    this.record(host, outcome);
  }

  record(host: string, outcome: Outcome): void {
    const e = this.#get(host);
    e.attempts++;
    this.#total++;
    e.lastAt = performance.now();
    e.recent.push(outcome);
    if (e.recent.length > RECENT) e.recent.shift();
  }

  /** `inflightOf` lets a caller that tracks in-flight attempts itself (bulwark's stats) supply them. */
  rows(inflightOf?: (host: string) => number | undefined): EndpointRow[] {
    const now = performance.now();
    return [...this.#byHost].map(([host, e]) => {
      const n = e.recent.length;
      const latency = n === 0 ? 0 : e.recent.reduce((sum, o) => sum + o.latency, 0) / n;
      const count = (kind: OutcomeKind): number => e.recent.filter((o) => o.kind === kind).length;
      let state = 'ok';
      if (n === 0) state = '—';
      else if (e.recent[n - 1]?.kind === 'refused') state = 'down';
      else if (latency > 100 || count('timeout') + count('cut') >= n / 2) state = 'slow';
      else if (n - count('ok') - count('cut') >= 0.15 * n) state = 'failing';
      return {
        host,
        share: this.#total === 0 ? 0 : e.attempts / this.#total,
        latency,
        inflight: inflightOf?.(host) ?? e.inflight,
        state,
        idle: now - e.lastAt > IDLE_AFTER,
      };
    });
  }
}
