// The loopback HTTP suite: requests/s and latency of plain fetch, undici's BalancedPool,
// bulwark's client.fetch, bulwark over undici (request API) and bulwark's interceptor under
// fetch, against 4 backend processes (backend.ts), with 1, 16 and 64 callers; then the same
// against backends that answer every 20th request with 503. Every case runs in a fresh process
// (http-cases.ts), alternated over the rounds (even rounds in reverse); medians are shown, and
// each ratio is the median of the per-round ratios.
//
// A quick run on a shared machine narrows the grid (comma lists; default: everything):
//   BENCH_HTTP_CLIENTS=BalancedPool,bulwark-undici BENCH_HTTP_CALLERS=16 BENCH_HTTP_VARIANTS=ok
//   BENCH_HTTP_MEASURE_MS=1500 BENCH_ONLY=http BENCH_HTTP_ROUNDS=1 npm run bench
// BENCH_HTTP_CLIENTS may also name fetch-undici8 (Node's fetch over an undici 8 Agent, what the
// interceptor runs on), which the default grid leaves out.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runJsonChildRetrying } from './child.ts';
import { CLIENTS, LABELS, REFERENCE_CLIENTS, type HttpCaseResult } from './http-cases.ts';
import { median, pairedRatios, round, roundOrder, table } from './stats.ts';

const CHILD = fileURLToPath(new URL('./http-cases.ts', import.meta.url));
const BACKEND = fileURLToPath(new URL('./backend.ts', import.meta.url));
const BACKENDS = 4;
const VARIANTS = { ok: '/ok', flaky: '/flaky' } as const;

/** The values of a comma-list environment variable that are among `known`; all of `known` when unset. */
function pick<T extends string | number>(name: string, known: readonly T[], optional: readonly T[] = []): T[] {
  const raw = process.env[name];
  if (!raw) return [...known];
  known = [...known, ...optional];
  const wanted = raw.split(',').map((x) => x.trim());
  const chosen = known.filter((k) => wanted.includes(String(k)));
  if (chosen.length === 0) throw new Error(`${name}=${raw} names none of ${known.join(', ')}`);
  return chosen;
}

const CALLERS = pick('BENCH_HTTP_CALLERS', [1, 16, 64]);
const CHOSEN_CLIENTS = pick<string>('BENCH_HTTP_CLIENTS', CLIENTS, REFERENCE_CLIENTS);
const CHOSEN_VARIANTS = pick('BENCH_HTTP_VARIANTS', Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]);

/** The comparisons the issue sets targets for: each bulwark way against the thing it replaces. */
const PAIRS: readonly (readonly [client: string, versus: string])[] = [
  ['bulwark', 'fetch'],
  ['bulwark', 'BalancedPool'],
  ['bulwark-undici', 'BalancedPool'],
  ['bulwark-interceptor', 'fetch'],
  ['bulwark-interceptor', 'fetch-undici8'],
  ['bulwark-interceptor-undici-fetch', 'fetch'],
  ['bulwark-interceptor-undici-fetch', 'undici-fetch'],
];
const CASE_LIMIT_MS = 30_000;

export interface HttpSummary {
  variant: keyof typeof VARIANTS;
  client: string;
  callers: number;
  /** Medians over the rounds (null: no round measured the case). */
  rps: number | null;
  p50: number | null;
  p99: number | null;
  /** Share of 2xx results delivered to the callers, 0–1. */
  success: number | null;
  /** CPU µs the client process spent per request. */
  cpu: number | null;
  rounds: HttpCaseResult[];
}

export interface HttpResult {
  rounds: number;
  backends: number;
  measureMs: number | null;
  cases: HttpSummary[];
  /**
   * Each bulwark way / what it replaces (PAIRS), per variant and callers: rps, p50, p99 and CPU,
   * each the median over the rounds of that round's ratio (results from before 2026-11-26: the
   * ratio of the medians, and no `rpsRounds`).
   */
  ratios: { variant: string; callers: number; client: string; versus: string; rps: number | null; p50: number | null; p99: number | null; cpu: number | null; rpsRounds?: number[] }[];
}

/** Starts one backend; resolves with its process and port. Its stdin stays open: closing it ends the backend. */
function startBackend(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BACKEND], { stdio: ['pipe', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('backend did not start within 10 s'));
    }, 10_000);
    child.on('error', reject);
    child.stdout!.setEncoding('utf8').once('data', (line: string) => {
      clearTimeout(timer);
      try {
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      } catch (err) {
        reject(err);
      }
    });
  });
}

export async function runHttp(options: { rounds: number; log: (line: string) => void }): Promise<HttpResult> {
  const cases = CHOSEN_VARIANTS.flatMap((variant) =>
    CALLERS.flatMap((callers) => CHOSEN_CLIENTS.map((client) => ({ variant, client: client as string, callers }))));
  /** Per case, its result of each round (`undefined`: that round's process failed). */
  const byRound = cases.map((): (HttpCaseResult | undefined)[] => []);
  const backends: ChildProcess[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < BACKENDS; i++) {
      const { child, port } = await startBackend();
      backends.push(child);
      ports.push(port);
    }
    for (let r = 1; r <= options.rounds; r++) {
      const started = performance.now();
      for (const i of roundOrder(cases.length, r)) {
        const c = cases[i]!;
        const args = [c.client, String(c.callers), VARIANTS[c.variant], ports.join(',')];
        byRound[i]![r - 1] = await runJsonChildRetrying<HttpCaseResult>(CHILD, args, CASE_LIMIT_MS, options.log);
      }
      options.log(`  http round ${r}/${options.rounds}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    for (const b of backends) b.kill();
  }
  const med = (rs: HttpCaseResult[], key: 'rps' | 'p50' | 'p99' | 'success' | 'cpuPerRequest', digits: number): number | null => {
    const values = rs.map((x) => x[key]).filter((v) => Number.isFinite(v));
    return values.length === 0 ? null : round(median(values), digits);
  };
  const summaries: HttpSummary[] = cases.map((c, i) => {
    const rs = byRound[i]!.filter((x): x is HttpCaseResult => x !== undefined).map((x) => ({ ...x, rps: round(x.rps, 0), p50: round(x.p50, 3), p99: round(x.p99, 3), success: round(x.success, 5), cpuPerRequest: round(x.cpuPerRequest, 1) }));
    return { ...c, rps: med(rs, 'rps', 0), p50: med(rs, 'p50', 3), p99: med(rs, 'p99', 3), success: med(rs, 'success', 5), cpu: med(rs, 'cpuPerRequest', 1), rounds: rs };
  });
  const at = (variant: string, client: string, callers: number): number =>
    cases.findIndex((c) => c.variant === variant && c.client === client && c.callers === callers);
  const ratios = CHOSEN_VARIANTS.flatMap((variant) =>
    CALLERS.flatMap((callers) => PAIRS.flatMap(([client, versus]) => {
      const a = at(variant, client, callers);
      const b = at(variant, versus, callers);
      if (a < 0 || b < 0) return [];
      const paired = (key: 'rps' | 'p50' | 'p99' | 'cpuPerRequest'): { median: number | null; rounds: number[] } => pairedRatios(byRound[a]!, byRound[b]!, (x) => x[key]);
      const rps = paired('rps');
      return [{ variant, callers, client, versus, rps: rps.median, p50: paired('p50').median, p99: paired('p99').median, cpu: paired('cpuPerRequest').median, rpsRounds: rps.rounds }];
    })));
  const measureMs = summaries.flatMap((c) => c.rounds)[0]?.measureMs ?? null;
  return { rounds: options.rounds, backends: BACKENDS, measureMs, cases: summaries, ratios };
}

const num = (v: number | null, digits = 0): string =>
  v === null ? 'n/a' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
const spread = (values: number[]): string =>
  values.length === 0 ? '' : `${num(Math.min(...values))}–${num(Math.max(...values))}`;

export function formatHttp(result: HttpResult): string {
  const section = (variant: string): string[][] => {
    const rows: string[][] = [['client', 'callers', 'req/s', 'rounds min–max', 'p50 ms', 'p99 ms', 'CPU µs/req', '2xx %']];
    for (const c of result.cases.filter((x) => x.variant === variant)) {
      const share = c.success === null ? 'n/a' : (c.success * 100).toFixed(2);
      rows.push([LABELS[c.client] ?? c.client, String(c.callers), num(c.rps), spread(c.rounds.map((x) => x.rps)), num(c.p50, 2), num(c.p99, 2), num(c.cpu, 0), share]);
    }
    return rows;
  };
  const ratioRows: string[][] = [['variant', 'callers', 'bulwark way', '/ …', 'req/s', 'req/s rounds', 'p50', 'p99', 'CPU/req']];
  for (const r of result.ratios) {
    const f = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
    const rounds = r.rpsRounds === undefined || r.rpsRounds.length === 0 ? '' : `${Math.min(...r.rpsRounds).toFixed(2)}–${Math.max(...r.rpsRounds).toFixed(2)}`;
    ratioRows.push([r.variant === 'ok' ? 'all 200' : '5 % 503', String(r.callers), LABELS[r.client] ?? r.client, LABELS[r.versus] ?? r.versus, f(r.rps), rounds, f(r.p50), f(r.p99), f(r.cpu)]);
  }
  const seconds = result.measureMs === null ? '?' : (result.measureMs / 1000).toString();
  return [
    `Loopback HTTP: GETs to ${result.backends} node:http backend processes (keep-alive), N callers issuing requests`,
    `back to back for ${seconds} s after a warm-up; median of ${result.rounds} fresh processes per case.`,
    `Latency: call start to the end of the body. 2xx %: share of calls that delivered a 2xx to their caller.`,
    `CPU µs/req: the client process's CPU time per request (steadier than req/s on a shared machine).`,
    '',
    ...(result.cases.some((c) => c.variant === 'ok') ? ['Every response 200:', table(section('ok')), ''] : []),
    ...(result.cases.some((c) => c.variant === 'flaky') ? ['Every 20th request a backend receives answered 503 (5 %):', table(section('flaky')), ''] : []),
    table(ratioRows),
    '',
    result.ratios.some((r) => r.rpsRounds !== undefined)
      ? 'Ratios: the median over the rounds of each round\'s ratio; "req/s rounds" shows their spread.'
      : 'Ratios: the ratio of the medians.',
  ].join('\n');
}
