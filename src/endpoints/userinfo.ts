// The userinfo of an endpoint string (`user:password@`): when it is refused (ambiguous, or a
// mistyped scheme) and the `authorization` header it becomes. Its text never reaches an error
// message.

/** Why an endpoint string whose userinfo {@link readsAsAuthority} is refused. It spells `@` out: no message holds one. */
export const AMBIGUOUS_USERINFO: string = 'is ambiguous: the text before its last at sign (not shown) can be read as a host and a path, so '
  + 'the request could be meant for that host rather than the one after the last at sign; percent-encode at signs (%40) '
  + 'and slashes (%2F) in the user name and password, or give a base path holding an at sign in the object form { host, port, basePath }';

/**
 * Whether `userinfo` (an endpoint string's text before its last `@`) could itself be read as
 * `user:password@host[:port]/path`, the last `@` then falling in the path: it holds an `@`
 * followed by a non-empty authority that a `/` ends (or a `\`, which URL parsers read as `/` in
 * http URLs) before any `?`, `#` or further `@`. Then `http://u:pw@10.0.0.9:80/api@10.0.0.1:80`
 * would send `u:pw@10.0.0.9:80/api` to 10.0.0.1 as credentials. An `@` followed by a `?` or `#`
 * first is no such reading (an endpoint has no query or fragment), nor is a `/` before the `@`:
 * passwords such as `p/ss@w0rd` or `x@y#z/w?v%` are still taken whole.
 *
 * @example
 * readsAsAuthority('u:pw@10.0.0.9:80/api'); // true
 * readsAsAuthority('u:x@y#z/w');            // false: `y` is followed by a fragment, not a path
 * readsAsAuthority('u:p/ss');               // false: no `@`
 */
export function readsAsAuthority(userinfo: string): boolean {
  if (startsWithHostAndPath(userinfo)) return true;
  const n = userinfo.length;
  for (let at = userinfo.indexOf('@'); at >= 0; at = userinfo.indexOf('@', at + 1)) {
    for (let k = at + 1; k < n; k++) {
      const c = userinfo.charCodeAt(k);
      if (c === 0x2f /* / */ || c === 0x5c /* \ */) {
        if (k > at + 1) return true;
        break;
      }
      // `?` or `#`: a query or fragment, no path; `@`: the next `@` is checked in its turn.
      if (c === 0x3f || c === 0x23 || c === 0x40) break;
    }
  }
  return false;
}

/**
 * Whether `userinfo` itself starts as `host[:port]/`: then the string may have no userinfo at
 * all and an `@` in its path (`http://10.0.0.3:8443/p@th` would otherwise go to host `th`, with
 * `10.0.0.3:8443/p` sent as credentials). A password that merely holds a `/` does not read so
 * (`u:p/ss`: `p` is no port).
 *
 * @example
 * startsWithHostAndPath('10.0.0.3:8443/p'); // true
 * startsWithHostAndPath('u:p/ss');          // false
 */
function startsWithHostAndPath(userinfo: string): boolean {
  const slash = userinfo.search(/[/\\?#@]/);
  if (slash <= 0 || (userinfo[slash] !== '/' && userinfo[slash] !== '\\')) return false;
  return /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(userinfo.slice(0, slash));
}

/** Why an endpoint string whose userinfo {@link startsLikeScheme} is refused; no `@` in it either. */
export const SCHEME_WITHOUT_SLASHES: string = "has no '//' after its scheme: the text before its last at sign (not shown) starts like "
  + "a scheme (such as 'https:/' or 'https:'), not a user name; write the scheme in full ('https://') before the user name and password";

/** The schemes URL parsers read with any number of slashes, none included (`https:h` is `https://h`). */
const SLASHLESS_SCHEME = /^(?:https?|wss?|ftp|file)$/i;

/**
 * Whether `userinfo`, in an endpoint string with no `scheme://` before it, starts like a
 * mistyped scheme rather than a user name: a scheme-shaped name then `:/` or `:\` (`https:/u:pw`,
 * one slash short), or `http:`, `https:`, … (`https:u:pw`, which URL parsers read as https with
 * user `u`). Read as `user:password` it would make an http endpoint with the scheme as user
 * name, its Basic credentials sent in clear text. A schemeless `admin:/pw@h:80` is refused too:
 * with `http://` in front its password is taken whole.
 *
 * @example
 * startsLikeScheme('https:/user:pw'); // true
 * startsLikeScheme('https:user:pw');  // true
 * startsLikeScheme('user:pw');        // false
 */
export function startsLikeScheme(userinfo: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):([/\\])?/i.exec(userinfo);
  return scheme !== null && (scheme[2] !== undefined || SLASHLESS_SCHEME.test(scheme[1]!));
}

/** `Basic …` for the raw userinfo `user:password`, split at its first `:` as URLs are. */
export function basicAuthorization(userinfo: string | undefined): string | undefined {
  if (userinfo === undefined) return undefined;
  const colon = userinfo.indexOf(':');
  const user = decodeLeniently(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : decodeLeniently(userinfo.slice(colon + 1));
  if (user === '' && password === '') return undefined;
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * Decodes %XX escapes, keeping literally any that are malformed or not UTF-8: a password may
 * hold a raw `%`, and it must still be sent, not turned into a URIError.
 */
function decodeLeniently(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
