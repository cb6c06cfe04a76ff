import * as http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { roundRobin } from '../../src/index.js';
import { createGrpcClient, type GrpcClientOptions } from '../../src/grpc/index.js';
import type { CountRequest, EchoClientConstructor, SayReply, SayRequest } from '../fixtures/grpc/echo-client.js';
import { closeAfterEach } from './lifecycle.js';
import { selfSignedCertificate } from './tls-cert.js';

const fixtures = fileURLToPath(new URL('../fixtures/grpc/', import.meta.url));
/** The standard health service's .proto: the one examples/grpc.ts ships, so there is one copy. */
const healthProto = fileURLToPath(new URL('../../examples/grpc/health.proto', import.meta.url));
const LOAD = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

/** The test service (test/fixtures/grpc/echo.proto) and grpc.health.v1, loaded with proto-loader as a user would. */
export function loadProtos(): { Echo: EchoClientConstructor; echo: grpc.ServiceDefinition; health: grpc.ServiceDefinition } {
  const echo = grpc.loadPackageDefinition(protoLoader.loadSync(`${fixtures}echo.proto`, LOAD)) as unknown as { bulwark: { test: { Echo: EchoClientConstructor } } };
  const health = grpc.loadPackageDefinition(protoLoader.loadSync(healthProto, LOAD)) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  const Echo = echo.bulwark.test.Echo;
  return { Echo, echo: Echo.service, health: health.grpc.health.v1.Health.service };
}

export type SayHandler = (call: grpc.ServerUnaryCall<SayRequest, SayReply>, callback: grpc.sendUnaryData<SayReply>, server: GrpcTestServer) => void;
export type CountHandler = (call: grpc.ServerWritableStream<CountRequest, SayReply>, server: GrpcTestServer) => void;
export type JoinHandler = (call: grpc.ServerReadableStream<SayRequest, SayReply>, callback: grpc.sendUnaryData<SayReply>, server: GrpcTestServer) => void;
export type ChatHandler = (call: grpc.ServerDuplexStream<SayRequest, SayReply>, server: GrpcTestServer) => void;

/** A real grpc-js server on 127.0.0.1 serving Echo and grpc.health.v1.Health, whose behaviour a test changes. */
export interface GrpcTestServer {
  readonly port: number;
  /** `127.0.0.1:port`. */
  readonly address: string;
  /** Unary calls (Say and Lookup) received. */
  calls: number;
  /** Count, Join and Chat streams received. */
  streams: number;
  /**
   * Echo calls whose client went away before the server sent their status (the server saw
   * `cancelled` first). Not grpc-js's 'cancelled' events: 1.14 emits one when any call's stream
   * closes, after a normal end too.
   */
  cancelled: number;
  say: SayHandler;
  count: CountHandler;
  join: JoinHandler;
  chat: ChatHandler;
  /** Health status by service name ('' for the server); absent names answer NOT_FOUND. */
  readonly health: Map<string, 'SERVING' | 'NOT_SERVING' | 'UNKNOWN'>;
  /** Stops at once: open connections are dropped, new ones refused. */
  kill(): void;
}

/** Answers with its own port. */
export const reply: SayHandler = (call, callback, server) => callback(null, { text: call.request.text ?? '', server: server.port });

/** Answers with a status error (and optional trailers). */
export function fail(code: grpc.status, details = 'test failure', trailers?: Record<string, string>): SayHandler {
  return (_call, callback) => {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(trailers ?? {})) metadata.set(k, v);
    callback({ code, details, metadata });
  };
}

/** Sends `count` replies. */
export const countUp: CountHandler = (call, server) => {
  for (let i = 0; i < (call.request.count ?? 0); i++) call.write({ text: String(i), server: server.port });
  call.end();
};

/** Answers with the texts received, joined by spaces. */
export const joinTexts: JoinHandler = (call, callback, server) => {
  const texts: string[] = [];
  call.on('data', (m: SayRequest) => texts.push(m.text ?? ''));
  call.on('end', () => callback(null, { text: texts.join(' '), server: server.port }));
};

/** Echoes each message; ends when the client does. */
export const echoBack: ChatHandler = (call, server) => {
  call.on('data', (m: SayRequest) => call.write({ text: m.text ?? '', server: server.port }));
  call.on('end', () => call.end());
};

/**
 * Counts in `state().cancelled` each Echo call its client went away from before the call ended.
 * Not grpc-js's 'cancelled' events: 1.14 emits one when a server call's HTTP/2 stream closes,
 * after a normal end too. A call is counted when its stream closes reset by the client (an
 * RST_STREAM with an error code: its cancel or its deadline, even after a status the handler sent
 * too late, as a bidi handler ending its side when the reset ends the client's does), or with no
 * status from the handler (the server's own copy of the client's deadline ended it). The stream
 * is the one grpc-js keeps in its base server call (`stream`, not public API: checked, so a change
 * fails loudly).
 */
function countCancels(state: () => GrpcTestServer): grpc.ServerInterceptor {
  return (method, call) => {
    if (!method.path.startsWith('/bulwark.test.Echo/')) return new grpc.ServerInterceptingCall(call);
    const stream = (call as unknown as { stream?: http2.ServerHttp2Stream }).stream;
    if (stream?.once === undefined) throw new Error('grpc-js server calls no longer keep their HTTP/2 stream in `stream`: update countCancels');
    let answered = false;
    stream.once('close', () => {
      if (!answered || stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) state().cancelled++;
    });
    return new grpc.ServerInterceptingCall(call, {
      sendStatus: (status, next) => {
        answered = true;
        next(status);
      },
    });
  };
}

/**
 * Starts `n` servers on free ports of 127.0.0.1; `stop` kills them all (call it after each test).
 *
 * @example
 * const { servers, stop } = await startGrpcServers(3);
 */
export async function startGrpcServers(n: number): Promise<{ servers: GrpcTestServer[]; stop: () => Promise<void> }> {
  const { echo, health } = loadProtos();
  const started: { server: grpc.Server; state: GrpcTestServer }[] = [];
  for (let i = 0; i < n; i++) {
    const server = new grpc.Server({ interceptors: [countCancels(() => state)] });
    const state: GrpcTestServer = {
      port: 0, address: '', calls: 0, streams: 0, cancelled: 0, say: reply, count: countUp, join: joinTexts, chat: echoBack, health: new Map([['', 'SERVING'], ['bulwark.test.Echo', 'SERVING']]),
      kill: () => server.forceShutdown(),
    };
    const unary = (call: grpc.ServerUnaryCall<SayRequest, SayReply>, callback: grpc.sendUnaryData<SayReply>): void => {
      state.calls++;
      state.say(call, callback, state);
    };
    server.addService(echo, {
      Say: unary,
      Lookup: unary,
      Count: (call: grpc.ServerWritableStream<CountRequest, SayReply>) => {
        state.streams++;
          state.count(call, state);
      },
      Join: (call: grpc.ServerReadableStream<SayRequest, SayReply>, callback: grpc.sendUnaryData<SayReply>) => {
        state.streams++;
          state.join(call, callback, state);
      },
      Chat: (call: grpc.ServerDuplexStream<SayRequest, SayReply>) => {
        state.streams++;
          state.chat(call, state);
      },
    });
    server.addService(health, {
      Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: string }>, callback: grpc.sendUnaryData<{ status: string }>) => {
        const status = state.health.get(call.request.service);
        if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else callback(null, { status });
      },
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    Object.assign(state, { port, address: `127.0.0.1:${port}` });
    started.push({ server, state });
  }
  return {
    servers: started.map((s) => s.state),
    stop: async () => {
      for (const s of started) s.server.forceShutdown();
    },
  };
}

/** A bulwark/grpc client of the test service. */
export type EchoClient = ReturnType<typeof createGrpcClient<InstanceType<EchoClientConstructor>>>;

/**
 * What a gRPC test file sets up per test, all stopped after each test: `servers(n)` starts n
 * grpc-js servers, `echo(list, options)` makes a bulwark/grpc client of them (round robin unless
 * `options` pick another), `defer` runs any other cleanup.
 */
export function grpcAfterEach(): {
  servers(n?: number): Promise<GrpcTestServer[]>;
  echo(list: readonly GrpcTestServer[], options?: Partial<GrpcClientOptions>): EchoClient;
  defer(fn: () => Promise<void>): void;
} {
  const { Echo } = loadProtos();
  const { defer } = closeAfterEach();
  return {
    async servers(n = 3) {
      const started = await startGrpcServers(n);
      defer(started.stop);
      return started.servers;
    },
    echo(list, options = {}) {
      // A subchannel pool of the client's own: no state of grpc-js's process-wide pool (keyed by
      // address) passes from one test's server to a later test's server on a reused port.
      const client = createGrpcClient(Echo, { name: 'echo', discovery: list.map((s) => s.address), picker: roundRobin(), channelOptions: { 'grpc.use_local_subchannel_pool': 1 }, ...options });
      defer(() => client.close());
      return client;
    },
    defer,
  };
}

/** An Echo server over TLS on 127.0.0.1 whose `Say` answers `tls <text>`, and the certificate it serves. */
export interface TlsEchoServer {
  readonly port: number;
  readonly cert: Buffer;
  stop(): void;
}

/**
 * Starts a {@link TlsEchoServer} with a certificate openssl (at `openssl`) makes for
 * `subjectAltName` (`DNS:svc.test`, or `DNS:localhost,IP:127.0.0.1`).
 *
 * @example
 * const server = await startTlsEchoServer(openssl.path!, 'DNS:svc.test');
 */
export async function startTlsEchoServer(openssl: string, subjectAltName: string): Promise<TlsEchoServer> {
  const { cert, key } = selfSignedCertificate(openssl, subjectAltName);
  const server = new grpc.Server();
  server.addService(loadProtos().echo, { Say: (call: grpc.ServerUnaryCall<{ text: string }, object>, cb: grpc.sendUnaryData<object>) => cb(null, { text: `tls ${call.request.text}` }) });
  const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
  return {
    port, cert,
    stop: () => {
      server.forceShutdown();
    },
  };
}
