// The three ways bulwark runs over undici, behind one small interface so that the same
// integration tests show each of them doing what client.fetch does: the request transport
// (createUndiciClient), and the interceptor under undici.request and under Node's global fetch.
import { Agent, request } from 'undici';
import { createClient, type Client, type ClientOptions } from '../../src/index.js';
import { bulwarkInterceptor, createUndiciClient, type UndiciClient } from '../../src/undici/index.js';

/** One call's result, body read. */
export interface Got {
  status: number;
  body: string;
}

export interface CallInit {
  method?: string;
  body?: string;
  signal?: AbortSignal;
}

export interface Harness {
  readonly client: Client;
  /** GET (or `init.method`) of `path`; resolves once the body is read. */
  call(path: string, init?: CallInit): Promise<Got>;
  /** Starts a call and resolves once its response head arrived, with a reader for the body. */
  head(path: string, init?: CallInit): Promise<{ status: number; text(): Promise<string> }>;
  close(): Promise<void>;
}

export type Mode = 'transport' | 'interceptor + undici.request' | 'interceptor + fetch';
export const MODES: Mode[] = ['transport', 'interceptor + undici.request', 'interceptor + fetch'];

/** The origin the interceptor routes to the client under test. */
const ORIGIN = 'http://svc.internal';

/** `call` from `head`: the head, then the whole body. */
function readingBody(head: Harness['head']): Harness['call'] {
  return async (path, init) => {
    const res = await head(path, init);
    return { status: res.status, body: await res.text() };
  };
}

export function harness(mode: Mode, options: ClientOptions): Harness {
  if (mode === 'transport') {
    const client: UndiciClient = createUndiciClient(options);
    const head = async (path: string, init: CallInit = {}): Promise<{ status: number; text(): Promise<string> }> => {
      const res = await client.request(path, { method: (init.method ?? 'GET') as 'GET', body: init.body ?? null, signal: init.signal });
      return { status: res.statusCode, text: () => res.body.text() };
    };
    return {
      client,
      head,
      call: readingBody(head),
      close: () => client.close(),
    };
  }
  const client = createClient(options);
  const agent = new Agent().compose(bulwarkInterceptor({ origins: { [ORIGIN]: client } }));
  const head = mode === 'interceptor + fetch'
    ? async (path: string, init: CallInit = {}) => {
      const res = await fetch(ORIGIN + path, { method: init.method ?? 'GET', body: init.body ?? null, signal: init.signal ?? null, dispatcher: agent } as unknown as RequestInit);
      return { status: res.status, text: () => res.text() };
    }
    : async (path: string, init: CallInit = {}) => {
      const res = await request(ORIGIN + path, { method: (init.method ?? 'GET') as 'GET', body: init.body ?? null, signal: init.signal ?? null, dispatcher: agent });
      return { status: res.statusCode, text: () => res.body.text() };
    };
  return {
    client,
    head,
    call: readingBody(head),
    close: async () => {
      await client.close();
      await agent.close();
    },
  };
}
