import { describe, expect, it } from 'vitest';
import { EndpointParseError, parseEndpoint, parseEndpointByUrl } from '../../src/endpoints/parse.js';
import type { EndpointInit } from '../../src/endpoints/endpoint.js';
import { mulberry32 } from '../helpers/prng.js';

/** What parsing `init` gives: the parsed endpoint, or the error's field, text and value. */
function outcome(parse: (init: EndpointInit) => unknown, init: EndpointInit): unknown {
  try {
    return { ok: parse(init) };
  } catch (err) {
    if (!(err instanceof EndpointParseError)) throw err;
    return { field: err.field, message: err.message, value: err.value };
  }
}

const pick = <T,>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const SCHEMES = ['', '', '', 'http://', 'https://', 'HTTP://', 'Https://', 'tcp://', 'redis://', 'grpc+tls://'];
const USERINFO = ['', '', '', '', 'u:p@', 'admin:pa#ss@', ':@', '@', 'a%40b:c@'];
const LABELS = [
  'a', 'svc', 'Svc', 'API', 'my-host', '-x', 'x-', 'ab--cd', 'xn--nxasmq6b', 'XN--abc', 'xn--', 'x_y', '0', '1', '7', '00', '01', '10',
  '127', '255', '256', '999', '1000', '0x7f', '0X1', '1a', 'a1', 'é', 'ß', 'a b', 'a%41', '%2e', '', 'localhost', 'host_name', 'a*b', 'a|b',
];
const PORTS = ['', '', ':', ':0', ':1', ':80', ':443', ':080', ':8080', ':65535', ':65536', ':99999', ':123456', ':00080', ':8o', ':-1'];
const SEGMENTS = ['', 'a', 'api', 'v1', '.', '..', '...', '.a', 'a.', '%2e', '%41', 'a b', '~x', '_y', 'A-Z', 'x?y', 'x#y', 'x\\y', 'é', ';p', '@'];

/** A random endpoint string, most of them near the forms discovery sends. */
function endpointText(random: () => number): string {
  const labels = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random, LABELS));
  let host = labels.join('.');
  if (random() < 0.05) host = pick(random, ['[::1]', '[fe80::1%25eth0]', '[::ffff:127.0.0.1]', '[', 'a]']);
  if (random() < 0.05) host += '.';
  let path = '';
  const segments = Math.floor(random() * 4);
  for (let i = 0; i < segments; i++) path += `/${pick(random, SEGMENTS)}`;
  if (random() < 0.1) path += '/';
  const pad = random() < 0.05 ? ' ' : '';
  return `${pad}${pick(random, SCHEMES)}${pick(random, USERINFO)}${host}${pick(random, PORTS)}${path}${pad}`;
}

describe('parseEndpoint reads plain strings by hand exactly as the URL parser does', () => {
  it.each([
    '10.0.0.1:8080', 'http://10.0.0.1:8080/api/', 'https://Svc.Internal', 'https://svc/api', 'http://h:80', 'svc.ns.svc.cluster.local:9000',
    'redis://cache:6379/0', 'u:p@h:80/x//y/', 'h:08080', '1.2.3:80', '01.2.3.4:80', '1.2.3.256:80', 'a.123:80', 'a.0x1f:80', 'xn--abc.com:80',
    'h:80/./x', 'h:80/a/..', 'h:80/...', 'tcp://db', 'http://h:/x', 'host.:80', 'a..b:80', 'ab--cd.com:80',
    'u:p@h:80/@x:80', 'http://u:p@h/x@h:80', 'u:p@ss@h:80', 'http://u:p@ss#x/y@h:80/api',
  ])('%s', (text) => {
    expect(outcome(parseEndpoint, text)).toEqual(outcome(parseEndpointByUrl, text));
  });

  it('on 20 000 random strings, accepted or refused alike', () => {
    const random = mulberry32(2024);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = endpointText(random);
      const fast = outcome(parseEndpoint, text);
      expect(fast, text).toEqual(outcome(parseEndpointByUrl, text));
      if ((fast as { ok?: unknown }).ok !== undefined) accepted++;
    }
    // Both kinds are well represented, or the comparison proves little.
    expect(accepted).toBeGreaterThan(2_000);
    expect(accepted).toBeLessThan(18_000);
  });

  it('on 5 000 random object hosts, accepted or refused alike', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 5_000; i++) {
      const host = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random, LABELS)).join('.');
      const init = { host, port: 80, protocol: pick(random, ['http', 'https:', 'HTTP', 'tcp']) };
      expect(outcome(parseEndpoint, init), host).toEqual(outcome(parseEndpointByUrl, init));
    }
  });
});
