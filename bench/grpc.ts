// The loopback gRPC suite: unary calls/s, latency and client CPU per call of bulwark/grpc
// against a bare grpc-js client (one server, with and without a deadline) and grpc-js's
// round_robin (three servers), with 1
// and 16 callers, against three grpc-js servers in one backend process (grpc-backend.ts). Every
// case runs in a fresh process (grpc-cases.ts), alternated over the rounds (odd rounds in order,
// even rounds in reverse); medians are shown, and the ratios bulwark / bare client with the
// issue's target (within 10 %), each the median of the per-round ratios.
//
//   BENCH_ONLY=grpc BENCH_GRPC_ROUNDS=3 npm run bench
//   BENCH_GRPC_CALLERS=16 BENCH_GRPC_MEASURE_MS=1000 BENCH_ONLY=grpc npm run bench   (a quick run)
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runJsonChildRetrying } from './child.ts';
import { CLIENTS, LABELS, type GrpcCaseResult } from './grpc-cases.ts';
import { median, pairedRatios, round, roundOrder, table } from './stats.ts';

const CHILD = fileURLToPath(new URL('./grpc-cases.ts', import.meta.url));
const BACKEND = fileURLToPath(new URL('./grpc-backend.ts', import.meta.url));
const SERVERS = 3;
const CASE_LIMIT_MS = 30_000;
/** The target: a call through bulwark costs within 10 % of the same call on a bare grpc-js client. */
const TARGET = 1.1;
/**
 * The comparisons, the first two with the target: bulwark on one server against the same call on
 * a bare client (without and with a deadline, which every bulwark attempt carries); then bulwark
 * over three servers against grpc-js's own round_robin over them.
 */
const PAIRS: readonly (readonly [client: string, versus: string])[] = [
  ['bulwark-1', 'grpc-js'],
  ['bulwark-1', 'grpc-js-deadline'],
  ['bulwark', 'grpc-js-rr'],
];

const CALLERS = (process.env.BENCH_GRPC_CALLERS ?? '1,16').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);

export interface GrpcSummary {
  client: string;
  callers: number;
  rps: number | null;
  p50: number | null;
  p99: number | null;
  cpu: number | null;
  rounds: GrpcCaseResult[];
}

/** One comparison: bulwark / a grpc-js way at one number of callers. */
export interface GrpcRatio {
  callers: number;
  client: string;
  versus: string;
  rps: number | null;
  p50: number | null;
  p99: number | null;
  cpu: number | null;
  /** CPU per call, bulwark / the other, of each round where both ran (results from before 2026-11-26 lack it). */
  cpuRounds?: number[];
}

export interface GrpcResult {
  rounds: number;
  measureMs: number | null;
  cases: GrpcSummary[];
  /**
   * bulwark / each grpc-js way, per callers: cost ratios (p50, CPU per call) and throughput
   * (calls/s). Each is the median over the rounds of that round's ratio (results from before
   * 2026-11-26: the ratio of the medians).
   */
  ratios: GrpcRatio[];
}

function startBackend(): Promise<{ child: ChildProcess; ports: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BACKEND, String(SERVERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('grpc backend did not start within 10 s'));
    }, 10_000);
    child.on('error', reject);
    child.stdout!.setEncoding('utf8').once('data', (line: string) => {
      clearTimeout(timer);
      try {
        resolve({ child, ports: (JSON.parse(line) as { ports: number[] }).ports });
      } catch (err) {
        reject(err);
      }
    });
  });
}

export async function runGrpc(options: { rounds: number; log: (line: string) => void }): Promise<GrpcResult> {
  const cases = CALLERS.flatMap((callers) => CLIENTS.map((client) => ({ client: client as string, callers })));
  /** Per case, its result of each round (`undefined`: that round's process failed). */
  const byRound = cases.map((): (GrpcCaseResult | undefined)[] => []);
  const { child, ports } = await startBackend();
  try {
    for (let r = 1; r <= options.rounds; r++) {
      const started = performance.now();
      for (const i of roundOrder(cases.length, r)) {
        const c = cases[i]!;
        byRound[i]![r - 1] = await runJsonChildRetrying<GrpcCaseResult>(CHILD, [c.client, String(c.callers), ports.join(',')], CASE_LIMIT_MS, options.log);
      }
      options.log(`  grpc round ${r}/${options.rounds}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    child.kill();
  }
  const med = (rs: GrpcCaseResult[], key: 'rps' | 'p50' | 'p99' | 'cpuPerCall', digits: number): number | null => {
    const values = rs.map((x) => x[key]).filter((v) => Number.isFinite(v));
    return values.length === 0 ? null : round(median(values), digits);
  };
  const runs = byRound.map((rs) => rs.filter((x): x is GrpcCaseResult => x !== undefined));
  const summaries: GrpcSummary[] = cases.map((c, i) => ({
    ...c, rps: med(runs[i]!, 'rps', 0), p50: med(runs[i]!, 'p50', 3), p99: med(runs[i]!, 'p99', 3), cpu: med(runs[i]!, 'cpuPerCall', 1), rounds: runs[i]!,
  }));
  const at = (client: string, callers: number): number => cases.findIndex((c) => c.client === client && c.callers === callers);
  const ratios = CALLERS.flatMap((callers) => PAIRS.flatMap(([client, versus]): GrpcRatio[] => {
    const a = at(client, callers);
    const b = at(versus, callers);
    if (a < 0 || b < 0) return [];
    const paired = (key: 'rps' | 'p50' | 'p99' | 'cpuPerCall'): { median: number | null; rounds: number[] } => pairedRatios(byRound[a]!, byRound[b]!, (x) => x[key]);
    const cpu = paired('cpuPerCall');
    return [{ callers, client, versus, rps: paired('rps').median, p50: paired('p50').median, p99: paired('p99').median, cpu: cpu.median, cpuRounds: cpu.rounds }];
  }));
  return { rounds: options.rounds, measureMs: runs.flat()[0]?.measureMs ?? null, cases: summaries, ratios };
}

const num = (v: number | null, digits = 0): string => (v === null ? 'n/a' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits));

export function formatGrpc(result: GrpcResult): string {
  const rows: string[][] = [['client', 'callers', 'calls/s', 'rounds min–max', 'p50 ms', 'p99 ms', 'CPU µs/call']];
  for (const c of result.cases) {
    const rps = c.rounds.map((x) => x.rps);
    rows.push([LABELS[c.client] ?? c.client, String(c.callers), num(c.rps), rps.length ? `${num(Math.min(...rps))}–${num(Math.max(...rps))}` : '', num(c.p50, 3), num(c.p99, 3), num(c.cpu, 1)]);
  }
  const ratioRows: string[][] = [['callers', 'bulwark way', '/ …', 'calls/s', 'p50', 'p99', 'CPU/call', 'CPU rounds min–max', `target (cost ≤ ${TARGET}×)`]];
  for (const r of result.ratios) {
    const f = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
    // Cost: CPU per call and median latency; the one-server pairs carry the target.
    const verdict = r.client !== 'bulwark-1' || r.cpu === null || r.p50 === null ? '' : r.cpu <= TARGET && r.p50 <= TARGET ? 'ok' : 'MISS';
    const spread = r.cpuRounds === undefined || r.cpuRounds.length === 0 ? '' : `${Math.min(...r.cpuRounds).toFixed(2)}–${Math.max(...r.cpuRounds).toFixed(2)}`;
    ratioRows.push([String(r.callers), LABELS[r.client] ?? r.client, LABELS[r.versus] ?? r.versus, f(r.rps), f(r.p50), f(r.p99), f(r.cpu), spread, verdict]);
  }
  const seconds = result.measureMs === null ? '?' : (result.measureMs / 1000).toString();
  return [
    `Loopback gRPC: unary Say calls to ${SERVERS} grpc-js servers (one backend process), N callers back to back for ${seconds} s`,
    `after a warm-up; median of ${result.rounds} fresh processes per case. bulwark/grpc runs with every default`,
    `(peak EWMA, retries, budget, deadlines, health; grpc-js retries off on its channels); the bare clients with grpc-js defaults.`,
    '',
    table(rows),
    '',
    table(ratioRows),
    '',
    result.ratios.some((r) => r.cpuRounds !== undefined)
      ? 'Ratios: the median over the rounds of each round\'s ratio (the processes of one round ran within a minute of each other, on the same backend).'
      : 'Ratios: the ratio of the medians.',
  ].join('\n');
}
