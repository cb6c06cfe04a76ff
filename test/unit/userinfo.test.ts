import { describe as suite, expect, it } from 'vitest';
import { authorizationOf, LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../../src/endpoints/parse.js';
import { EndpointRegistry } from '../../src/endpoints/registry.js';
import { ConfigError, describe, redactUrl } from '../../src/errors.js';

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
    failed: (e) => seen.push(e.message),
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
