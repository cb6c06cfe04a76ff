// README ("Consul"): "where an answer ... echoes it (as given, URL-encoded or JSON-escaped), it
// shows as (hidden)" (Eureka's `headers` likewise). An error page that echoes the secret near its
// 200th character is cut by `snippet` BEFORE the secrets are looked for: the cut secret no longer
// matches, and its first characters are shown in the discoveryError.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { startConsulServer, type ConsulServer } from '../helpers/consul-server.js';
import { startEurekaServer, type EurekaServer } from '../helpers/eureka-server.js';

const TOKEN = '6f1c2a9e-8b3d-4e7f-a2c1-s3cretTOKEN99';
const clients: Client[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A proxy's refusal page that echoes `secret` starting at its 180th character (snippet keeps 200). */
const page = (secret: string): string => {
  const head = `<html><body><h1>Forbidden</h1><p>${'The request was refused by the gateway. '.repeat(5)}`.slice(0, 175);
  return `${head} got=${secret} end</body></html>`;
};

async function firstError(client: Client): Promise<Error> {
  return (await new Promise<{ error: unknown }>((resolve) => client.once('discoveryError', resolve))).error as Error;
}

function shown(err: unknown, depth = 0): string {
  if (depth > 10 || err === undefined) return '';
  if (!(err instanceof Error)) return String(err);
  return [String(err), err.stack ?? '', shown(err.cause, depth + 1)].join('\n');
}

describe('a registry refusal that echoes the secret near the snippet limit', () => {
  it('consul: no part of the ACL token shows in the discoveryError', async () => {
    const consul: ConsulServer = await startConsulServer();
    servers.push(consul);
    expect(page(TOKEN).indexOf(TOKEN)).toBe(180);
    consul.override({ status: 403, body: page(TOKEN) });
    const client = createClient({ name: 'svc', discovery: consulDiscovery({ service: 'web', url: consul.url, token: TOKEN, backoff: { min: 10_000, max: 10_000 } }) });
    clients.push(client);
    const error = await firstError(client);
    const text = shown(error);
    expect(text).toContain('403');
    // The first 8 characters of the token are enough to show it leaked.
    expect(text).not.toContain(TOKEN.slice(0, 8));
  });

  it('eureka: no part of the Authorization credentials shows in the discoveryError', async () => {
    const eureka: EurekaServer = await startEurekaServer();
    servers.push(eureka);
    const credentials = Buffer.from(`admin:${TOKEN}`).toString('base64');
    eureka.override({ status: 401, body: page(credentials) });
    const client = createClient({ name: 'svc', discovery: eurekaDiscovery({ app: 'web', url: eureka.url, headers: { authorization: `Basic ${credentials}` }, backoff: { min: 10_000, max: 10_000 } }) });
    clients.push(client);
    const error = await firstError(client);
    const text = shown(error);
    expect(text).toContain('401');
    expect(text).not.toContain(credentials.slice(0, 8));
  });
});
