// The two ways the demo calls the fleet: through a bulwark client, and through plain fetch
// with round robin and no retries, the baseline a service gets without a client library.
import { createClient, DEFAULTS } from 'bulwark';
import { outcomeKind, type Traffic } from './traffic.ts';

export interface Caller {
  readonly title: string;
  readonly description: string;
  /** One GET; true when the final response was 2xx. */
  call(i: number): Promise<boolean>;
  /** Attempts made so far (more than calls when a caller retries). */
  attempts(): number;
  /** In-flight attempts per host, when the caller tracks them itself. */
  inflight(): ReadonlyMap<string, number> | undefined;
  /** The client's own health state per host (`ejected`, `probing`), when it has one. */
  health(): ReadonlyMap<string, string> | undefined;
  /** Notable things the caller saw (an endpoint ejected, panic), for the event log. */
  onNote(note: (text: string) => void): void;
  close(): Promise<void>;
}

/** Same deadline for both callers, so neither wins by waiting longer. */
const TOTAL_TIMEOUT = 3_000;
/**
 * The one option the demo tunes besides that deadline: hedging, off by default. When an attempt
 * has not answered after the client's recent p95 latency, one more goes to another endpoint.
 * This is what takes the slow backend's answers (150–300 ms) out of bulwark's tail: P2C sends
 * it few picks, but without hedging each of them waits its full time.
 */
const HEDGE = { delay: 'p95', maxExtraLoad: 0.1 } as const;

const hostOf = (url: string): string => new URL(url).host;

export function bulwarkCaller(urls: readonly string[], traffic: Traffic): Caller {
  const client = createClient({
    name: 'demo',
    discovery: [...urls],
    timeout: { total: TOTAL_TIMEOUT },
    hedge: HEDGE,
  });
  let attempts = 0;
  client.on('attempt', (e) => {
    attempts++;
    // The event's reason already says what happened; no need to dig through the error.
    const kind = e.ok ? 'ok' : e.verdict === 'cancelled' ? 'cut' : e.reason === 'connection refused' ? 'refused' : e.reason.endsWith('timeout') ? 'timeout' : 'failed';
    traffic.record(hostOf(e.endpoint.url), { kind, latency: e.latency });
  });
  return {
    title: 'bulwark',
    description:
      `defaults (${client.stats().picker} picker, ${DEFAULTS.attempts} attempts, ${DEFAULTS.budgetRatio * 100} % retry budget, ` +
      `${DEFAULTS.attemptTimeout / 1000} s per attempt) plus hedge: { delay: '${HEDGE.delay}', maxExtraLoad: ${HEDGE.maxExtraLoad} } and a ${TOTAL_TIMEOUT / 1000} s deadline`,
    async call(i) {
      const res = await client.fetch(`/work?i=${i}`);
      // Read the body: an unread one holds its connection.
      await res.arrayBuffer();
      return res.ok;
    },
    attempts: () => attempts,
    inflight: () => new Map(client.stats().endpoints.map((e) => [hostOf(e.url), e.inflight])),
    health: () => new Map(client.stats().endpoints.flatMap((e) => (e.health !== undefined && e.health.status !== 'healthy' ? [[hostOf(e.url), e.health.status] as const] : []))),
    onNote(note) {
      client.on('health', (e) => note(`${e.status} ${hostOf(e.endpoint.url)}: ${e.reason}`));
      client.on('panic', (e) => note(e.active ? `panic: ${e.healthy} of ${e.total} endpoints healthy, calls go to all` : 'panic over'));
    },
    close: () => client.close(),
  };
}

export function roundRobinCaller(urls: readonly string[], traffic: Traffic): Caller {
  let next = 0;
  let attempts = 0;
  return {
    title: 'plain fetch',
    description: 'round robin, no retries, same 3 s deadline',
    async call(i) {
      const url = urls[next++ % urls.length]!;
      const host = hostOf(url);
      const started = performance.now();
      // Counted when done, as bulwark's attempt events are, so the live ratios compare alike.
      const done = (ok: boolean, error?: unknown): void => {
        attempts++;
        traffic.end(host, { kind: outcomeKind(ok, error), latency: performance.now() - started });
      };
      traffic.begin(host);
      try {
        const res = await fetch(`${url}/work?i=${i}`, { signal: AbortSignal.timeout(TOTAL_TIMEOUT) });
        await res.arrayBuffer();
        done(res.ok);
        return res.ok;
      } catch (error) {
        done(false, error);
        throw error;
      }
    },
    attempts: () => attempts,
    inflight: () => undefined,
    health: () => undefined,
    onNote: () => {},
    close: async () => {},
  };
}
