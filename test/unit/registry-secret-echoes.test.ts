// What a registry adapter reports must not show its secrets, however they come back: raw,
// URL-encoded (a proxy echoing the request line) or JSON-escaped, in the error's message or
// anywhere in its cause chain (the error of a user's `fetch` that quotes the request), while
// errors that show no secret keep their causes as they are (README, "Consul", "Eureka").
import { describe, expect, it } from 'vitest';
import { createClient, type Discovery } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';

const TOKEN = 'tok/en+s3cret==';
const BEARER = 'eyJh.s3cret/pay+load';

/** Every text an error shows: String(), stack and a `code`, down its whole cause chain. */
function shown(err: unknown, depth = 0): string {
  if (depth > 10 || err === undefined) return '';
  if (!(err instanceof Error)) return String(err);
  return [String(err), err.stack ?? '', String((err as { code?: unknown }).code), shown(err.cause, depth + 1)].join('\n');
}

async function firstError(discovery: Discovery): Promise<unknown> {
  const client = createClient({ name: 'svc', discovery });
  try {
    return (await new Promise<{ error: unknown }>((resolve) => client.once('discoveryError', resolve))).error;
  } finally {
    await client.close();
  }
}

/** A user's fetch whose error quotes the request it was given (URL-encoded, JSON-escaped, raw), as some wrappers' errors do. */
const quoting = async (url: string, init: RequestInit): Promise<Response> => {
  const sent = Object.values(init.headers as Record<string, string>).join(' ');
  const error = new TypeError(`request to ${url}&q=${encodeURIComponent(sent)} with ${JSON.stringify(init.headers)} failed`);
  throw Object.assign(error, { code: 'ECONNRESET', cause: new Error(`upstream said: ${JSON.stringify(sent)} / ${sent}`) });
};

/** A proxy that refuses with a page echoing the secrets URL-encoded and JSON-escaped. */
const echoing = async (_url: string, init: RequestInit): Promise<Response> => {
  const all = Object.values(init.headers as Record<string, string>).join(' ');
  return new Response(`denied: ${encodeURIComponent(all)} ${JSON.stringify(all)}`, { status: 403 });
};

describe('registry adapters hide their secrets wherever they come back', () => {
  for (const [name, make] of [
    ['consul', (fetch: typeof quoting) => consulDiscovery({ service: 'web', token: TOKEN, url: 'http://127.0.0.1:1', fetch, backoff: { min: 10_000, max: 10_000 } })],
    ['eureka', (fetch: typeof quoting) => eurekaDiscovery({ app: 'web', url: 'http://127.0.0.1:1/eureka', headers: { authorization: `Bearer ${BEARER}`, 'x-token': TOKEN }, fetch, backoff: { min: 10_000, max: 10_000 } })],
  ] as const) {
    it(`${name}: a user fetch's error that quotes them, with its causes; its code is kept`, async () => {
      const error = await firstError(make(quoting));
      const text = shown(error);
      expect(text).toContain('(hidden)');
      expect(text).toContain('ECONNRESET');
      expect(text).not.toMatch(/s3cret/);
    });

    it(`${name}: an answer that echoes them URL-encoded or JSON-escaped`, async () => {
      const error = await firstError(make(echoing));
      const text = shown(error);
      expect(text).toContain('403');
      expect(text).not.toMatch(/s3cret/);
    });

    it(`${name}: an error that shows no secret keeps its cause as it was`, async () => {
      const plain = Object.assign(new TypeError('fetch failed'), { code: 'ECONNREFUSED' });
      const error = await firstError(make(async () => { throw plain; }));
      let cause: unknown = (error as Error).cause;
      while (cause instanceof Error && cause !== plain) cause = cause.cause;
      expect(cause).toBe(plain);
    });
  }
});
