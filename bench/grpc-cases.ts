// One gRPC client at one concurrency, alone in a fresh process (started by grpc.ts):
//
//   node bench/grpc-cases.ts <client> <callers> <port,port,…>   → one line of JSON (a GrpcCaseResult)
//
// <callers> loops each make unary Say calls back to back against the loopback servers: a
// warm-up (WARMUP_MS and WARMUP_CALLS) unrecorded, then MEASURE_MS recorded.
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { loadWindow, measureLoad } from './load.ts';

export const CLIENTS = ['grpc-js', 'grpc-js-deadline', 'bulwark-1', 'grpc-js-rr', 'bulwark'] as const;

/** What the tables call each client. */
export const LABELS: Readonly<Record<string, string>> = {
  'grpc-js': 'bare grpc-js client (1 server)',
  'grpc-js-deadline': 'bare grpc-js + 10 s deadline (1 server)',
  'bulwark-1': 'bulwark/grpc (1 server)',
  'grpc-js-rr': 'grpc-js round_robin (3 servers)',
  bulwark: 'bulwark/grpc (3 servers)',
};

export interface GrpcCaseResult {
  client: string;
  callers: number;
  /** Calls started in the measured window, per second of it. */
  rps: number;
  /** Latency (ms) of the recorded calls. */
  p50: number;
  p99: number;
  calls: number;
  errors: number;
  /** CPU time (user + system, µs) this client process spent per recorded call. */
  cpuPerCall: number;
  measureMs: number;
}

const WINDOW = loadWindow({
  measureMs: process.env.BENCH_GRPC_MEASURE_MS, warmupMs: process.env.BENCH_GRPC_WARMUP_MS, warmupCalls: process.env.BENCH_GRPC_WARMUP_CALLS,
}, 3_000);
const MEASURE_MS = WINDOW.measureMs;
const PROTO = fileURLToPath(new URL('../test/fixtures/grpc/echo.proto', import.meta.url));

type SayClient = grpc.Client & { Say(req: { text: string }, cb: (e: grpc.ServiceError | null, r?: unknown) => void): void };

/** bulwark/grpc by name (dist/), or from BENCH_BULWARK_DIST (a build with src/grpc/index.ts). */
async function loadBulwark(): Promise<typeof import('bulwark/grpc')> {
  const dir = process.env.BENCH_BULWARK_DIST;
  if (dir) return (await import(pathToFileURL(`${dir}/grpc.js`).href)) as typeof import('bulwark/grpc');
  return import('bulwark/grpc');
}

async function setup(client: string, addresses: readonly string[]): Promise<{ call: () => Promise<unknown>; close: () => unknown }> {
  const Echo = (grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, { keepCase: true, defaults: true })) as unknown as {
    bulwark: { test: { Echo: grpc.ServiceClientConstructor } };
  }).bulwark.test.Echo;
  const request = { text: 'hello' };
  const bare = (target: string, options?: grpc.ChannelOptions): { call: () => Promise<unknown>; close: () => unknown } => {
    const c = new Echo(target, grpc.credentials.createInsecure(), options) as unknown as SayClient;
    return { call: () => new Promise((resolve, reject) => c.Say(request, (e, r) => (e ? reject(e) : resolve(r)))), close: () => c.close() };
  };
  if (client === 'grpc-js') return bare(addresses[0]!);
  if (client === 'grpc-js-deadline') {
    // What every bulwark attempt carries: a grpc deadline (here 10 s, bulwark's default attempt timeout).
    const c = new Echo(addresses[0]!, grpc.credentials.createInsecure()) as unknown as SayClient & {
      Say(req: { text: string }, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: unknown) => void): void;
    };
    return { call: () => new Promise((resolve, reject) => c.Say(request, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r)))), close: () => c.close() };
  }
  if (client === 'grpc-js-rr') {
    return bare(`ipv4:${addresses.join(',')}`, { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }], methodConfig: [] }) });
  }
  if (client === 'bulwark' || client === 'bulwark-1') {
    const { createGrpcClient } = await loadBulwark();
    const b = createGrpcClient(Echo, { name: 'bench-grpc', discovery: client === 'bulwark' ? [...addresses] : [addresses[0]!] });
    const say = b.methods.Say!;
    return { call: () => say(request), close: () => b.close() };
  }
  throw new Error(`unknown client ${client}; known: ${CLIENTS.join(', ')}`);
}

export async function runGrpcCase(client: string, callers: number, ports: readonly number[]): Promise<GrpcCaseResult> {
  const harness = await setup(client, ports.map((p) => `127.0.0.1:${p}`));
  let errors = 0;
  const load = await measureLoad(harness.call, callers, WINDOW, (_reply, threw) => { if (threw) errors++; });
  await harness.close();
  return {
    client, callers,
    rps: load.calls / (MEASURE_MS / 1000),
    p50: load.p50, p99: load.p99,
    calls: load.calls,
    errors,
    cpuPerCall: load.cpuPerCall,
    measureMs: MEASURE_MS,
  };
}

if (import.meta.main) {
  const [client = '', callers = '1', ports = ''] = process.argv.slice(2);
  const result = await runGrpcCase(client, Number(callers), ports.split(',').map(Number));
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
