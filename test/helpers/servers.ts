import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on 127.0.0.1 that counts what reaches it. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** Requests that reached the handler, in order. */
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  /** Requests whose connection went away before the server answered. */
  aborted: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, server: TestServer) => void;

/** Starts a node:http server with `handler`; every socket is destroyed on close. */
export async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const listener = restartableListener((req, res) => {
    state.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    res.on('close', () => { if (!res.writableFinished) state.aborted++; });
    handler(req, res, state);
  }, port);
  const state: TestServer = { url: '', port: 0, requests: [], aborted: 0, close: () => listener.stop() };
  await listener.listen();
  Object.assign(state, { port: listener.port, url: `http://127.0.0.1:${listener.port}` });
  return state;
}

/**
 * A node:http listener on 127.0.0.1 that can go down like a crashed server (`stop`: every
 * connection cut) and come back on the same port (`listen`). The fake Consul and Eureka
 * servers run on one.
 */
export interface RestartableListener {
  /** The port bound (0 before the first `listen` when none was asked for). */
  readonly port: number;
  listen(): Promise<void>;
  /** Closes the listener and destroys every open connection; a no-op while stopped. */
  stop(): Promise<void>;
}

export function restartableListener(handle: (req: IncomingMessage, res: ServerResponse) => void, port = 0): RestartableListener {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    get port() { return port; },
    async listen() {
      const s = createServer(handle);
      server = s;
      s.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      port = (s.address() as AddressInfo).port;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

/** Answers 200 with the server's port as body, after `delay` ms. */
export const ok = (delay = 0): Handler => (req, res, s) => {
  const send = (): void => { res.writeHead(200, { 'content-type': 'text/plain' }).end(String(s.port)); };
  req.resume();
  if (delay > 0) setTimeout(send, delay); else send();
};

/** Answers with `status` (and optional headers) at once. */
export const status = (code: number, headers: Record<string, string> = {}): Handler => (req, res) => {
  req.resume();
  res.writeHead(code, headers).end(`status ${code}`);
};

/** Never answers. */
export const hang = (): Handler => (req) => { req.resume(); };

/** Destroys the connection as soon as the request arrives (the client sees ECONNRESET / socket closed). */
export const reset = (): Handler => (req) => { req.socket.destroy(); };

/** A TCP server that accepts connections and resets them at once, before any HTTP is read. */
export async function startResetServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createNetServer((s) => s.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** A port on 127.0.0.1 with nothing listening: connecting to it is refused. */
export async function closedPort(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Starts several servers and closes them all. */
export async function startServers(handlers: Handler[]): Promise<TestServer[] & { closeAll(): Promise<void> }> {
  const servers = await Promise.all(handlers.map((h) => startServer(h)));
  return Object.assign(servers, { closeAll: async () => { await Promise.all(servers.map((s) => s.close())); } });
}

/** Counts how many requests each server received. */
export function counts(servers: readonly TestServer[]): number[] {
  return servers.map((s) => s.requests.length);
}
