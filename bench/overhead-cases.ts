// The per-call overhead cases. Each one runs alone in a fresh process, started by overhead.ts:
//
//   node bench/overhead-cases.ts <case>      → prints one line of JSON (a CaseResult)
//
// Every case wraps the same awaited async no-op; libraries are imported lazily, so that
// importing this module (for CASES) loads nothing, and each process loads only what it measures.

/** The function every case calls: an awaited async no-op. bulwark's endpoint argument is ignored. */
const fn = async (): Promise<number> => 1;

/** What a case sets up: the call to time, and how to release what it holds. */
interface Harness {
  call: () => Promise<unknown>;
  close?: () => unknown;
}

interface CaseSpec {
  /** Calls in flight at once (1: sequential awaits). */
  concurrency: number;
  /** The case whose time is subtracted to get the overhead. */
  baseline: string;
  /** Builds the harness, or returns a reason the case cannot run (shown as "n/a (reason)"). */
  setup: () => Promise<Harness | string>;
}

const ENDPOINTS = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];

async function bulwark(extra: Record<string, unknown>): Promise<Harness | string> {
  const { createClient, ConfigError } = await import('bulwark');
  let client: ReturnType<typeof createClient>;
  try {
    client = createClient({ name: 'bench', discovery: ENDPOINTS, ...extra });
  } catch (err) {
    if (err instanceof ConfigError && 'hedge' in extra) return 'hedge option missing';
    throw err;
  }
  return { call: () => client.execute(fn), close: () => client.close() };
}

/**
 * Four clients in one process, as a service that calls four upstreams has: two with defaults,
 * one hedged, one without health tracking; each call goes to the next client in turn. Every
 * client runs the same code, so this shows what sharing it costs (V8 optimizes code for the
 * objects it has seen; per-client closures on the hot path once made this case ≈ 70 % dearer).
 */
async function bulwarkClients(): Promise<Harness> {
  const { createClient } = await import('bulwark');
  const extras: Record<string, unknown>[] = [{}, {}, { hedge: { delay: 1000 } }, { health: false }];
  const clients = extras.map((extra, i) => createClient({ name: `bench-${i}`, discovery: ENDPOINTS, ...extra }));
  const [a, b, c, d] = clients as [typeof clients[0], typeof clients[0], typeof clients[0], typeof clients[0]];
  let next = 0;
  // Each client called from a site of its own, as a service calls each upstream from its own code.
  const call = (): Promise<unknown> => {
    switch (next++ & 3) {
      case 0: return a.execute(fn);
      case 1: return b.execute(fn);
      case 2: return c.execute(fn);
      default: return d.execute(fn);
    }
  };
  return { call, close: () => Promise.all(clients.map((client) => client.close())) };
}

async function opossum(): Promise<Harness> {
  const { default: CircuitBreaker } = await import('opossum');
  const breaker = new CircuitBreaker(fn, { timeout: 1000 });
  return { call: () => breaker.fire(), close: () => breaker.shutdown() };
}

async function pRetry(): Promise<Harness> {
  const { default: retry } = await import('p-retry');
  return { call: () => retry(fn, { retries: 2 }) };
}

async function cockatiel(withRetryAndTimeout: boolean): Promise<Harness> {
  const c = await import('cockatiel');
  const breaker = c.circuitBreaker(c.handleAll, { halfOpenAfter: 10_000, breaker: new c.ConsecutiveBreaker(5) });
  if (!withRetryAndTimeout) return { call: () => breaker.execute(fn) };
  const policy = c.wrap(
    c.retry(c.handleAll, { maxAttempts: 2 }),
    breaker,
    c.timeout(1000, c.TimeoutStrategy.Cooperative),
  );
  return { call: () => policy.execute(fn) };
}

const raw = async (): Promise<Harness> => ({ call: fn });

/** The raw await plus one `performance.now()`: its overhead is what one clock read costs here. */
const clockRead = async (): Promise<Harness> => ({
  call: () => {
    performance.now();
    return fn();
  },
});

/**
 * Replaces `performance.now()` in this process (the clock of bulwark and of p-retry) with a
 * counter that moves 1 µs per read, then sets `setup` up: what a case costs apart from reading
 * the clock. bulwark reads it twice per call (attempt start and end), p-retry once.
 */
function steppedClock(setup: () => Promise<Harness | string>): () => Promise<Harness | string> {
  return () => {
    // A small integer, times 0.001: adding to a fraction kept in the closure would allocate a
    // number per read, costing more than the read it stands in for.
    let n = 0;
    Object.defineProperty(performance, 'now', { value: () => ++n * 0.001, configurable: true, writable: true });
    return setup();
  };
}

/** The cases, in the order the table shows them. */
export const CASES: Record<string, CaseSpec> = {
  raw: { concurrency: 1, baseline: 'raw', setup: raw },
  bulwark: { concurrency: 1, baseline: 'raw', setup: () => bulwark({}) },
  'bulwark-hedge': { concurrency: 1, baseline: 'raw', setup: () => bulwark({ hedge: { delay: 1000 } }) },
  'bulwark-no-health': { concurrency: 1, baseline: 'raw', setup: () => bulwark({ health: false }) },
  'bulwark-4-clients': { concurrency: 1, baseline: 'raw', setup: bulwarkClients },
  opossum: { concurrency: 1, baseline: 'raw', setup: opossum },
  'p-retry': { concurrency: 1, baseline: 'raw', setup: pRetry },
  'cockatiel-wrap': { concurrency: 1, baseline: 'raw', setup: () => cockatiel(true) },
  'cockatiel-breaker': { concurrency: 1, baseline: 'raw', setup: () => cockatiel(false) },
  'clock-read': { concurrency: 1, baseline: 'raw', setup: clockRead },
  'bulwark-stepped-clock': { concurrency: 1, baseline: 'raw', setup: steppedClock(() => bulwark({})) },
  'p-retry-stepped-clock': { concurrency: 1, baseline: 'raw', setup: steppedClock(pRetry) },
  'raw-c1000': { concurrency: 1000, baseline: 'raw-c1000', setup: raw },
  'bulwark-c1000': { concurrency: 1000, baseline: 'raw-c1000', setup: () => bulwark({}) },
  'opossum-c1000': { concurrency: 1000, baseline: 'raw-c1000', setup: opossum },
  'p-retry-c1000': { concurrency: 1000, baseline: 'raw-c1000', setup: pRetry },
};

/** One process's measurement. */
export interface CaseResult {
  case: string;
  /** Mean ns per call over the measured iterations; absent when the case is n/a. */
  nsPerCall?: number;
  na?: string;
  iterations: number;
  warmup: number;
  concurrency: number;
}

async function sequential(call: () => Promise<unknown>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await call();
}

async function concurrent(call: () => Promise<unknown>, n: number, width: number): Promise<void> {
  const batch: Promise<unknown>[] = new Array(width);
  for (let done = 0; done < n; done += width) {
    const size = Math.min(width, n - done);
    if (batch.length !== size) batch.length = size;
    for (let j = 0; j < size; j++) batch[j] = call();
    await Promise.all(batch);
  }
}

export async function runCase(name: string, iterations: number, warmup: number): Promise<CaseResult> {
  const spec = CASES[name];
  if (!spec) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES).join(', ')}`);
  const result: CaseResult = { case: name, iterations, warmup, concurrency: spec.concurrency };
  const harness = await spec.setup();
  if (typeof harness === 'string') return { ...result, na: harness };
  const run = (n: number): Promise<void> =>
    spec.concurrency === 1 ? sequential(harness.call, n) : concurrent(harness.call, n, spec.concurrency);
  await run(warmup);
  const start = process.hrtime.bigint();
  await run(iterations);
  const elapsed = Number(process.hrtime.bigint() - start);
  await harness.close?.();
  return { ...result, nsPerCall: elapsed / iterations };
}

if (import.meta.main) {
  const name = process.argv[2] ?? '';
  const int = (value: string | undefined, fallback: number): number =>
    value !== undefined && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : fallback;
  const iterations = int(process.env.BENCH_ITERATIONS, 200_000);
  const warmup = int(process.env.BENCH_WARMUP, 50_000);
  const result = await runCase(name, iterations, warmup);
  // Exit explicitly: a library may keep a timer (opossum's rolling window) after close.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
