/** A dot segment (`.` or `..`, either dot maybe written `%2e`) of a path; a URL parser takes `\` for `/` there. */
const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\]|$)/i;

/**
 * The request target to append to an endpoint's base path: `path`'s path and query, without a
 * fragment (never sent), and with dot segments resolved from the root as a URL parser resolves
 * them, so that the result stays under the base path: `/files/../../admin` under `/tenants/a`
 * goes to `/tenants/a/admin`, not `/admin`. A path without dot segments keeps its bytes.
 *
 * @example
 * requestTarget('/files/../../admin?x=1#top'); // '/admin?x=1'
 */
export function requestTarget(path: string): string {
  const hash = path.indexOf('#');
  const target = hash < 0 ? path : path.slice(0, hash);
  // Read as the URL parser will read it once appended to the endpoint's URL: it drops every tab
  // and newline, and trims C0 controls and spaces from the end (the target ends that URL), so
  // `/.\t./` and a trailing `/.. ` are dot segments too.
  const read = UNSEEN.test(target) ? target.replace(/[\t\n\r]/g, '').replace(/[\x00-\x20]+$/, '') : target;
  const query = read.indexOf('?');
  const pathname = query < 0 ? read : read.slice(0, query);
  if (!DOT_SEGMENT.test(pathname)) return target;
  const url = new URL('http://base.invalid/');
  url.pathname = pathname;
  return query < 0 ? url.pathname : url.pathname + read.slice(query);
}

/** Characters the URL parser drops or trims: ASCII tab and newline anywhere, C0 controls and space at the end. */
const UNSEEN = /[\t\n\r]|[\x00-\x20]$/;
