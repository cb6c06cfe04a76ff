// One HTTP client at one concurrency, alone in a fresh process (started by http.ts):
//
//   node bench/http-cases.ts <client> <callers> <path> <port,port,…>   → one line of JSON (an HttpCaseResult)
//
// <callers> loops each issue GETs of <path> back to back (awaiting the body) against the
// loopback backends on the given ports, for WARMUP_MS unrecorded, then MEASURE_MS recorded.
// Libraries are imported lazily, so each process loads only what it measures.

export const CLIENTS = ['fetch', 'BalancedPool', 'bulwark'] as const;

export interface HttpCaseResult {
  client: string;
  callers: number;
  path: string;
  /** Requests started in the measured window, per second of it. */
  rps: number;
  /** Latency (ms) of the recorded requests: start of the call to the end of the body. */
  p50: number;
  p99: number;
  requests: number;
  /** Recorded requests that ended in a 2xx response, as a share of all recorded (0–1). */
  success: number;
  /** Recorded requests that threw (the rest of the non-2xx were answered with an error status). */
  errors: number;
  measureMs: number;
}

const WARMUP_MS = Number(process.env.BENCH_HTTP_WARMUP_MS) || 500;
const MEASURE_MS = Number(process.env.BENCH_HTTP_MEASURE_MS) || 3_000;
/** Per caller, whatever the time: keeps every loop bounded in count too. */
const MAX_REQUESTS_PER_CALLER = 1_000_000;

interface Harness {
  /** One GET, body consumed; resolves with the status. */
  call: () => Promise<number>;
  close: () => unknown;
}

async function setup(client: string, urls: readonly string[], path: string): Promise<Harness> {
  if (client === 'fetch') {
    let next = 0;
    return {
      call: async () => {
        const res = await fetch(urls[next++ % urls.length] + path);
        await res.text();
        return res.status;
      },
      close: () => {},
    };
  }
  if (client === 'BalancedPool') {
    const { BalancedPool } = await import('undici');
    const pool = new BalancedPool([...urls]);
    return {
      call: async () => {
        const { statusCode, body } = await pool.request({ path, method: 'GET' });
        await body.text();
        return statusCode;
      },
      close: () => pool.close(),
    };
  }
  if (client === 'bulwark') {
    const { createClient } = await import('bulwark');
    const bulwark = createClient({ name: 'bench-http', discovery: [...urls] });
    return {
      call: async () => {
        const res = await bulwark.fetch(path);
        await res.text();
        return res.status;
      },
      close: () => bulwark.close(),
    };
  }
  throw new Error(`unknown client ${client}; known: ${CLIENTS.join(', ')}`);
}

export async function runHttpCase(client: string, callers: number, path: string, ports: readonly number[]): Promise<HttpCaseResult> {
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const harness = await setup(client, urls, path);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const measureStart = performance.now() + WARMUP_MS;
  const end = measureStart + MEASURE_MS;
  const caller = async (): Promise<void> => {
    for (let i = 0; i < MAX_REQUESTS_PER_CALLER; i++) {
      const t0 = performance.now();
      if (t0 >= end) return;
      let status = 0;
      try {
        status = await harness.call();
      } catch {
        status = 0;
      }
      if (t0 < measureStart) continue;
      latencies.push(performance.now() - t0);
      if (status >= 200 && status < 300) ok++;
      else if (status === 0) errors++;
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  await harness.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number): number => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? Number.NaN;
  return {
    client, callers, path,
    rps: latencies.length / (MEASURE_MS / 1000),
    p50: at(50), p99: at(99),
    requests: latencies.length,
    success: latencies.length === 0 ? 0 : ok / latencies.length,
    errors,
    measureMs: MEASURE_MS,
  };
}

if (import.meta.main) {
  const [client = '', callers = '1', path = '/ok', ports = ''] = process.argv.slice(2);
  const result = await runHttpCase(client, Number(callers), path, ports.split(',').map(Number));
  // Exit explicitly: keep-alive sockets may hold the process open after close.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
