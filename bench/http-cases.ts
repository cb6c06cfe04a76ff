// One HTTP client at one concurrency, alone in a fresh process (started by http.ts):
//
//   node bench/http-cases.ts <client> <callers> <path> <port,port,…>   → one line of JSON (an HttpCaseResult)
//
// <callers> loops each issue GETs of <path> back to back (awaiting the body) against the
// loopback backends on the given ports: a warm-up (WARMUP_MS and WARMUP_REQUESTS) unrecorded,
// then MEASURE_MS recorded.
// Libraries are imported lazily, so each process loads only what it measures.

import { pathToFileURL } from 'node:url';
import { loadWindow, measureLoad } from './load.ts';

export const CLIENTS = ['fetch', 'BalancedPool', 'bulwark', 'bulwark-undici', 'bulwark-interceptor'] as const;
/** Cases run only when BENCH_HTTP_CLIENTS names them: references that explain a ratio. */
export const REFERENCE_CLIENTS = ['fetch-undici8', 'undici-fetch', 'bulwark-interceptor-undici-fetch'] as const;

/** What the tables call each client. */
export const LABELS: Readonly<Record<string, string>> = {
  fetch: 'plain fetch (round robin)',
  BalancedPool: 'undici BalancedPool',
  bulwark: 'bulwark client.fetch',
  'bulwark-undici': 'bulwark over undici (request API)',
  'bulwark-interceptor': 'bulwark interceptor + fetch',
  'fetch-undici8': 'fetch over an undici 8 Agent',
  'undici-fetch': "undici 8's fetch (round robin)",
  'bulwark-interceptor-undici-fetch': "bulwark interceptor + undici 8's fetch",
};

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
  /**
   * CPU time (user + system, µs) this client process spent per recorded request: what a call
   * costs, and far less disturbed than req/s when other work shares the machine.
   */
  cpuPerRequest: number;
  measureMs: number;
}

const WINDOW = loadWindow({
  measureMs: process.env.BENCH_HTTP_MEASURE_MS, warmupMs: process.env.BENCH_HTTP_WARMUP_MS, warmupCalls: process.env.BENCH_HTTP_WARMUP_REQUESTS,
}, 5_000);
const MEASURE_MS = WINDOW.measureMs;

interface Harness {
  /** One GET, body consumed; resolves with the status. */
  call: () => Promise<number>;
  close: () => unknown;
}

/**
 * bulwark's entry points: the package by name (dist/), or a build elsewhere when
 * BENCH_BULWARK_DIST names its directory (a build of src/index.ts and src/undici/index.ts).
 */
async function load<T>(entry: 'index' | 'undici'): Promise<T> {
  const dir = process.env.BENCH_BULWARK_DIST;
  if (dir) return (await import(pathToFileURL(`${dir}/${entry}.js`).href)) as T;
  return (await (entry === 'index' ? import('bulwark') : import('bulwark/undici'))) as T;
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
  if (client === 'fetch-undici8') {
    // What the interceptor runs on, without bulwark: Node's fetch over undici 8's Agent.
    const { Agent, Dispatcher1Wrapper } = await import('undici');
    const dispatcher = new Dispatcher1Wrapper(new Agent());
    const init = { dispatcher } as unknown as RequestInit;
    let next = 0;
    return {
      call: async () => {
        const res = await fetch(urls[next++ % urls.length] + path, init);
        await res.text();
        return res.status;
      },
      close: () => dispatcher.close(),
    };
  }
  if (client === 'undici-fetch') {
    // undici 8's own fetch (the npm package), round robin: no adapter between handler APIs.
    const { fetch: undiciFetch } = await import('undici');
    let next = 0;
    return {
      call: async () => {
        const res = await undiciFetch(urls[next++ % urls.length] + path);
        await res.text();
        return res.status;
      },
      close: () => {},
    };
  }
  if (client === 'bulwark-interceptor-undici-fetch') {
    // undici 8's own fetch through the interceptor: what the interceptor costs without Node's adapter.
    const { createClient } = await load<typeof import('bulwark')>('index');
    const { bulwarkInterceptor } = await load<typeof import('bulwark/undici')>('undici');
    const { Agent, fetch: undiciFetch } = await import('undici');
    const bulwark = createClient({ name: 'bench-http', discovery: [...urls] });
    const dispatcher = new Agent().compose(bulwarkInterceptor({ origins: { 'http://bench.internal': bulwark } }));
    const url = `http://bench.internal${path}`;
    return {
      call: async () => {
        const res = await undiciFetch(url, { dispatcher });
        await res.text();
        return res.status;
      },
      close: async () => {
        await bulwark.close();
        await dispatcher.close();
      },
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
    const { createClient } = await load<typeof import('bulwark')>('index');
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
  if (client === 'bulwark-undici') {
    const { createUndiciClient } = await load<typeof import('bulwark/undici')>('undici');
    const bulwark = createUndiciClient({ name: 'bench-http', discovery: [...urls] });
    return {
      call: async () => {
        const { statusCode, body } = await bulwark.request(path);
        await body.text();
        return statusCode;
      },
      close: () => bulwark.close(),
    };
  }
  if (client === 'bulwark-interceptor') {
    // Node's global fetch, as third-party code calls it, through the interceptor on an undici 8 Agent.
    const { createClient } = await load<typeof import('bulwark')>('index');
    const { bulwarkInterceptor } = await load<typeof import('bulwark/undici')>('undici');
    const { Agent } = await import('undici');
    const bulwark = createClient({ name: 'bench-http', discovery: [...urls] });
    const dispatcher = new Agent().compose(bulwarkInterceptor({ origins: { 'http://bench.internal': bulwark } }));
    const url = `http://bench.internal${path}`;
    const init = { dispatcher } as unknown as RequestInit;
    return {
      call: async () => {
        const res = await fetch(url, init);
        await res.text();
        return res.status;
      },
      close: async () => {
        await bulwark.close();
        await dispatcher.close();
      },
    };
  }
  throw new Error(`unknown client ${client}; known: ${[...CLIENTS, ...REFERENCE_CLIENTS].join(', ')}`);
}

export async function runHttpCase(client: string, callers: number, path: string, ports: readonly number[]): Promise<HttpCaseResult> {
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const harness = await setup(client, urls, path);
  let ok = 0;
  let errors = 0;
  // The call resolves with the status; one that threw counts as an error.
  const load = await measureLoad(harness.call, callers, WINDOW, (status, threw) => {
    if (threw) errors++;
    else if (status! >= 200 && status! < 300) ok++;
  });
  await harness.close();
  return {
    client, callers, path,
    rps: load.calls / (MEASURE_MS / 1000),
    p50: load.p50, p99: load.p99,
    requests: load.calls,
    success: load.calls === 0 ? 0 : ok / load.calls,
    errors,
    cpuPerRequest: load.cpuPerCall,
    measureMs: MEASURE_MS,
  };
}

if (import.meta.main) {
  const [client = '', callers = '1', path = '/ok', ports = ''] = process.argv.slice(2);
  const result = await runHttpCase(client, Number(callers), path, ports.split(',').map(Number));
  // Exit explicitly: keep-alive sockets may hold the process open after close.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
