// Endpoint strings and hosts in their plain, everyday forms, read without the URL parser:
// parse.ts asks the URL parser only about what these refuse.

/**
 * `host:port` followed by nothing or a plain path, where the host is one {@link simpleHost}
 * takes, the port is 1–65535 written without leading zeros, and the path holds only
 * `A–Z a–z 0–9 - . _ ~ /` with no `.` or `..` segment: text the URL parser would return
 * unchanged (but for upper-case host letters). `undefined` for anything else, which the
 * caller parses the long way. With `portOptional` (a scheme was given) the port may be left out.
 *
 * @example
 * readSimple('Svc.internal:8080/api/', false); // { host: 'svc.internal', port: 8080, path: '/api/' }
 * readSimple('[::1]:80', false);               // undefined: IPv6 is left to the URL parser
 */
export function readSimple(rest: string, portOptional: boolean): { host: string; port: number | undefined; path: string } | undefined {
  const n = rest.length;
  let end = 0;
  while (end < n) {
    const c = rest.charCodeAt(end);
    if (c === 0x3a /* : */ || c === 0x2f /* / */) break;
    end++;
  }
  const host = simpleHost(rest, 0, end);
  if (host === undefined) return undefined;
  let i = end;
  let port: number | undefined;
  if (i < n && rest.charCodeAt(i) === 0x3a) {
    i++;
    const from = i;
    let value = 0;
    while (i < n && i - from < 6) {
      const c = rest.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      i++;
    }
    // No digits, a leading zero or more than 65535: the long way says what is wrong.
    if (i === from || rest.charCodeAt(from) === 0x30 || value > 65535) return undefined;
    port = value;
  } else if (!portOptional) {
    return undefined;
  }
  if (i === n) return { host, port, path: '' };
  if (rest.charCodeAt(i) !== 0x2f || !isPlainPath(rest, i)) return undefined;
  return { host, port, path: rest.slice(i) };
}

/**
 * Whether `text` from `from` on, a path starting with `/`, is one the URL parser returns
 * unchanged: plain characters only, and no segment that is `.` or `..` (which it resolves).
 *
 * @example
 * isPlainPath('/api/v1', 0); // true
 * isPlainPath('/a/../b', 0); // false
 */
export function isPlainPath(text: string, from: number): boolean {
  const n = text.length;
  let segment = 0;
  let dots = 0;
  for (let k = from; k <= n; k++) {
    const c = k === n ? 0x2f : text.charCodeAt(k);
    if (c === 0x2f) {
      if (segment > 0 && dots === segment) return false;
      segment = 0;
      dots = 0;
      continue;
    }
    if (!isPlainPathChar(c)) return false;
    segment++;
    if (c === 0x2e) dots++;
  }
  return true;
}

/** `A–Z a–z 0–9 - . _ ~`: what a URL path keeps as it is. */
function isPlainPathChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/**
 * `text[from, to)` as the URL parser returns it, when it is a host the parser would only
 * lower-case: an IPv4 address in its canonical dotted form (four decimal numbers 0–255, no
 * leading zeros), or a DNS name of ASCII letters, digits and `-` in non-empty labels whose last
 * label starts with a letter (so it is no number the parser would read as IPv4) and none
 * starting with `xn--` (Punycode, which the parser checks). `undefined` otherwise: the caller
 * then asks the URL parser. The check is deliberately narrow; everything it refuses still parses.
 *
 * @example
 * simpleHost('API.example.com', 0, 15); // 'api.example.com'
 * simpleHost('127.0.0.01', 0, 10);      // undefined: the URL parser reads it as 127.0.0.1
 */
export function simpleHost(text: string, from: number, to: number): string | undefined {
  if (to <= from) return undefined;
  let upper = false;
  let labelStart = from;
  let allDigits = true;
  let labels = 0;
  let ipv4 = true;
  for (let k = from; k <= to; k++) {
    const c = k === to ? 0x2e : text.charCodeAt(k);
    if (c === 0x2e) {
      const length = k - labelStart;
      if (length === 0) return undefined;
      labels++;
      if (allDigits) {
        // A decimal label: part of a canonical IPv4 address only as 0–255 without a leading zero.
        if (length > 3 || (length > 1 && text.charCodeAt(labelStart) === 0x30) || Number(text.slice(labelStart, k)) > 255) ipv4 = false;
      } else {
        ipv4 = false;
        if (length >= 4 && text.charCodeAt(labelStart + 2) === 0x2d && text.charCodeAt(labelStart + 3) === 0x2d) {
          const x = text.charCodeAt(labelStart) | 0x20;
          const n = text.charCodeAt(labelStart + 1) | 0x20;
          if (x === 0x78 && n === 0x6e) return undefined; // xn--
        }
      }
      if (k === to) {
        if (ipv4 && labels === 4) return text.slice(from, to);
        const first = text.charCodeAt(labelStart) | 0x20;
        if (first < 0x61 || first > 0x7a) return undefined;
      }
      labelStart = k + 1;
      allDigits = true;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) continue;
    allDigits = false;
    if (c >= 0x61 && c <= 0x7a) continue;
    if (c >= 0x41 && c <= 0x5a) { upper = true; continue; }
    if (c === 0x2d) continue;
    return undefined;
  }
  const host = text.slice(from, to);
  return upper ? host.toLowerCase() : host;
}
