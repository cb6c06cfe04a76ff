import { describe as suite, expect, it } from 'vitest';
import { authorizationOf, LiveEndpoint, type EndpointInit } from '../../src/endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../../src/endpoints/parse.js';
import { EndpointRegistry } from '../../src/endpoints/registry.js';
import { ConfigError } from '../../src/errors.js';
import { describe, redactUrl } from '../../src/redact.js';
import { createClient } from '../../src/index.js';

/** Endpoint strings whose password holds characters a URL parser cuts at, or cannot decode. */
const CASES: readonly { input: string; user: string; password: string; id: string }[] = [
  { input: 'http://user:pa#ss@10.0.0.1:80', user: 'user', password: 'pa#ss', id: 'http://10.0.0.1:80' },
  { input: 'http://u:p/ss@h:80', user: 'u', password: 'p/ss', id: 'http://h:80' },
  { input: 'http://u:p%zz@h:80', user: 'u', password: 'p%zz', id: 'http://h:80' },
  { input: 'u:se?cret@h:80', user: 'u', password: 'se?cret', id: 'http://h:80' },
  { input: 'https://admin:hun ter2@10.0.0.1:8443/api', user: 'admin', password: 'hun ter2', id: 'https://10.0.0.1:8443/api' },
  { input: 'http://admin:x@y#z/w?v%@10.0.0.1:80', user: 'admin', password: 'x@y#z/w?v%', id: 'http://10.0.0.1:80' },
  { input: 'redis://default:s3#cr/et@cache:6379', user: 'default', password: 's3#cr/et', id: 'redis://cache:6379' },
];

/** The same strings made invalid after the userinfo, each in a different way. */
const INVALID = (input: string): string[] => [
  input.replace(/@[^@]*$/, '@bad host:80'),
  input.replace(/@[^@]*$/, '@h:0'),
  input.replace(/@[^@]*$/, '@h:80/?q'),
  input.replace(/^[a-z]+:\/\/|^/, 'tcp://').replace(/@[^@]*$/, '@h'),
];

function registry(): { r: EndpointRegistry; seen: unknown[] } {
  const seen: unknown[] = [];
  const r = new EndpointRegistry(10_000, () => 0, {
    changed: (e) => seen.push(e),
    rejected: (e) => seen.push(e),
    failed: (detail) => seen.push(detail),
  });
  return { r, seen };
}

/** What client.ts does with a static endpoint that fails to parse. */
function configErrorFor(entry: string): ConfigError {
  try {
    parseEndpoint(entry);
  } catch (err) {
    if (!(err instanceof EndpointParseError)) throw err;
    expect(err.message).not.toContain('@');
    return new ConfigError('svc', `discovery[0]${err.field}`, err.expected, err.field === '' ? entry : err.value);
  }
  throw new Error(`${entry} parsed`);
}

suite.each(CASES)('userinfo in $input', ({ input, user, password, id }) => {
  it('is sent as Basic auth, verbatim, and appears in no field of the endpoint', () => {
    const parsed = parseEndpoint(input);
    expect(parsed.id).toBe(id);
    const state = new LiveEndpoint(parsed, 10_000, 0);
    expect(authorizationOf(state)).toBe(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    const { authorization: _, ...fields } = parsed;
    expect(JSON.stringify(fields)).not.toContain(password);
    expect(JSON.stringify(state)).not.toContain(password);
  });

  it('is removed by redactUrl and describe', () => {
    expect(redactUrl(input)).not.toContain(password);
    expect(redactUrl(`  ${input}`)).not.toContain(password);
    expect(describe(input)).not.toContain(password);
    expect(describe({ url: input })).not.toContain(password);
    expect(redactUrl(input)).toBe(input.replace(/^([a-z]+:\/\/)?.*@/, '$1'));
  });

  it.each(INVALID(input))('never shows in the errors and events for %s', (entry) => {
    const config = configErrorFor(entry);
    expect(config.message).not.toContain(password);
    expect(String(JSON.stringify(config.value))).not.toContain(password);
    const { r, seen } = registry();
    expect(r.replace([entry, '127.0.0.1:1'])).toBe(true);
    expect(seen).toHaveLength(2); // one rejected, one changed
    expect(JSON.stringify(seen)).not.toContain(password);
  });

  it('never shows in the registry events of a valid set', () => {
    const { r, seen } = registry();
    r.replace([input]);
    expect(r.list.map((e) => e.id)).toEqual([id]);
    expect(JSON.stringify(seen)).not.toContain(password);
  });
});

suite('userinfo decoding', () => {
  it.each([
    ['http://u:100%25@h:80', 'u:100%'],
    ['http://u:p%40ss@h:80', 'u:p@ss'],
    ['http://u:%E2%82%AC%zz%C3@h:80', 'u:€%zz%C3'],
    ['http://%75ser@h:80', 'user:'],
    ['http://u%3Ax:p:q@h:80', 'u:x:p:q'],
  ])('%s is sent as %s, malformed escapes kept literally', (input, userinfo) => {
    const state = new LiveEndpoint(parseEndpoint(input), 10_000, 0);
    expect(authorizationOf(state)).toBe(`Basic ${Buffer.from(userinfo).toString('base64')}`);
  });

  it.each(['http://@h:80', 'http://:@h:80', 'h:80'])('%s sends no Authorization', (input) => {
    expect(parseEndpoint(input).authorization).toBeUndefined();
  });
});

suite('redactUrl', () => {
  it('leaves text without userinfo alone', () => {
    expect(redactUrl('http://10.0.0.1:80/api')).toBe('http://10.0.0.1:80/api');
    expect(redactUrl('10.0.0.1:80')).toBe('10.0.0.1:80');
  });

  it('removes every userinfo of a text holding several URLs, even at the cost of more', () => {
    const text = 'tried http://a:one#1@h1:80 then u:two/2@h2:80, then https://b:three?3@h3';
    const shown = redactUrl(text);
    for (const secret of ['one#1', 'two/2', 'three?3']) expect(shown).not.toContain(secret);
    expect(shown).toBe('h3');
  });
});

/** The ConfigError createClient throws for `discovery`, which must be refused. */
function clientConfigError(discovery: EndpointInit[]): ConfigError {
  try {
    createClient({ name: 'svc', discovery });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(discovery)} was accepted`);
}

/**
 * Strings whose text before the last `@` itself reads as `userinfo@host[:port]/path`: taking the
 * userinfo to the last `@` would send credentials to a host the user may never have meant.
 * `hidden` is what no error may show: the password, and the userinfo as a whole.
 */
const AMBIGUOUS: readonly { input: string; hidden: readonly string[] }[] = [
  { input: 'http://user:hunter2@10.9.9.9:8443/api@127.0.0.1:9000', hidden: ['hunter2', 'user:', '10.9.9.9', '/api'] },
  { input: 'https://user%40x:hunter2@10.0.0.3:8443/p@th', hidden: ['hunter2', 'user%40x', '10.0.0.3', '/p'] },
  { input: 'user:hunter2@10.9.9.9:8443/api@127.0.0.1:9000', hidden: ['hunter2', 'user:', '10.9.9.9', '/api'] },
  { input: '  redis://default:hunter2@cache:6379/0@other:6379 ', hidden: ['hunter2', 'default', 'cache', '6379/0'] },
  { input: 'http://u:pa@ss/word@h:80', hidden: ['pa@ss/word', 'ss/word'] },
  { input: 'http://u:hunter2@h1\\api@h2:80', hidden: ['hunter2', 'h1\\api'] },
  { input: 'http://u:hun@ter@2/x@h:80', hidden: ['hun@ter@2', 'ter@2'] },
  { input: 'http://@h1:80/x@h2:80', hidden: ['h1:80'] },
  // No userinfo meant at all, an @ in the path: it would go to host `th` with `10.0.0.3:8443/p` as credentials.
  { input: 'http://10.0.0.3:8443/p@th', hidden: ['10.0.0.3', '8443/p'] },
  { input: 'cache.internal/0@x:6379', hidden: ['cache.internal'] },
  { input: 'http://[::1]:80/a@h:80', hidden: ['::1'] },
];

suite.each(AMBIGUOUS)('ambiguous userinfo in $input', ({ input, hidden }) => {
  it('is refused, saying how to write it, with neither the password nor the userinfo shown', () => {
    let error: unknown;
    try {
      parseEndpoint(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EndpointParseError);
    const err = error as EndpointParseError;
    expect(err.field).toBe('');
    expect(err.message).toMatch(/ambiguous.*percent-encode.*%40.*%2F.*object form/);
    expect(err.message).not.toContain('@');
    expect(err.value).toBe(redactUrl(input.trim()));
    for (const secret of hidden) expect(`${err.message} ${String(err.value)}`).not.toContain(secret);
  });

  it('is a ConfigError in createClient, naming the entry, with nothing of the userinfo in message or value', () => {
    const err = clientConfigError(['127.0.0.1:1', input]);
    expect(err.path).toBe('discovery[1]');
    expect(err.message).toContain('ambiguous');
    for (const secret of hidden) {
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err.value)).not.toContain(secret);
    }
  });

  it('is rejected by discovery updates, and no endpoint receives the credentials', () => {
    const { r, seen } = registry();
    expect(r.replace([input, '127.0.0.1:1'])).toBe(true);
    expect(r.list.map((e) => e.id)).toEqual(['http://127.0.0.1:1']);
    expect(seen).toHaveLength(2); // one rejected, one changed
    for (const secret of hidden) expect(JSON.stringify(seen)).not.toContain(secret);
  });
});

suite('ambiguous userinfo written unambiguously', () => {
  it.each([
    // Each `@` and `/` of the password percent-encoded, or just enough of them.
    ['http://user:hunter2%4010.9.9.9:8443%2Fapi@127.0.0.1:9000', 'user:hunter2@10.9.9.9:8443/api', 'http://127.0.0.1:9000'],
    ['http://u:pa%40ss/word@h:80', 'u:pa@ss/word', 'http://h:80'],
    ['http://u:pa@ss%2Fword@h:80', 'u:pa@ss/word', 'http://h:80'],
    ['https://user%40x:hunter2@10.0.0.3:8443/p%40th', 'user@x:hunter2', 'https://10.0.0.3:8443/p%40th'],
  ])('%s is sent as %s to %s', (input, userinfo, id) => {
    const parsed = parseEndpoint(input);
    expect(parsed.id).toBe(id);
    expect(parsed.authorization).toBe(`Basic ${Buffer.from(userinfo).toString('base64')}`);
  });

  it('an @ in a base path, in the object form', () => {
    expect(parseEndpoint({ host: '10.0.0.3', port: 8443, protocol: 'https', basePath: '/p@th' }).id).toBe('https://10.0.0.3:8443/p@th');
  });

  it.each([
    // An `@` then `?` or `#` before any `/`: read with the first `@` the rest is a query or
    // fragment, which no endpoint has; with a `/` before the `@` only, nothing reads as a host.
    ['http://u:p@ss?x/y@h:80', 'u:p@ss?x/y'],
    ['http://u:p@ss#x/y@h:80', 'u:p@ss#x/y'],
    ['http://u:p/ss@w0rd@h:80', 'u:p/ss@w0rd'],
    ['u:p@ss@h:80', 'u:p@ss'],
  ])('%s, unambiguous, is still sent as %s', (input, userinfo) => {
    const parsed = parseEndpoint(input);
    expect(parsed.id).toBe('http://h:80');
    expect(parsed.authorization).toBe(`Basic ${Buffer.from(userinfo).toString('base64')}`);
  });
});
