// Registry adapters (Consul, Eureka) send secrets (a token, Authorization headers), and what
// comes back may echo them: a proxy's error page, a refusal, the error of a user's `fetch`.
// Everything an adapter reports goes through here first.

/** Secrets shorter than this are not looked for: hiding every "ab" would garble messages. */
const MIN_SECRET = 4;

/**
 * A function that replaces each of `secrets` in a text with `(hidden)`: as given, URL-encoded
 * (a server or proxy that echoes the request line or a query) and JSON-escaped (one that echoes
 * it in a JSON body).
 *
 * @example
 * const hide = secretHider([token]);
 * throw new ConsulError(service, hide(body));
 */
export function secretHider(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_SECRET) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so that a secret containing another is hidden whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of ordered) if (out.includes(form)) out = out.split(form).join('(hidden)');
    return out;
  };
}

/**
 * `err` as it may be kept as an error's `cause`: itself when nothing in it (message, stack, other
 * properties, causes) shows a secret, which keeps Node's own errors and their `code` as they
 * are; otherwise a copy of the chain with the secrets hidden, each link an `Error` with the same
 * name, message, stack and `code`, hidden (its other properties left out).
 *
 * @example
 * throw new ConsulError(service, hide(messageWithCause(err)), undefined, { cause: withoutSecrets(err, hide) });
 */
export function withoutSecrets(err: unknown, hide: (text: string) => string): unknown {
  return shows(err, hide, 0) ? copyHidden(err, hide, 0) : err;
}

/** How deep a cause chain is followed (a chain that loops ends here). */
const MAX_DEPTH = 8;

function shows(err: unknown, hide: (text: string) => string, depth: number): boolean {
  if (depth >= MAX_DEPTH || err === undefined) return false;
  // A cause that is no Error (a plain object a fetch rejected with): whatever it holds counts.
  if (!(err instanceof Error)) return holds(err, hide, { seen: new Set(), left: MAX_VALUES }, 0);
  for (const text of [err.message, err.stack ?? '']) if (hide(text) !== text) return true;
  // An HTTP library's error may carry the request it made (ky's `options`, axios's `config`),
  // headers and all: what its other properties hold counts too.
  const look: Look = { seen: new Set([err]), left: MAX_VALUES };
  for (const key of Reflect.ownKeys(err)) {
    if (key === 'message' || key === 'stack' || key === 'cause') continue;
    if (holds(read(err, key), hide, look, 0)) return true;
  }
  return shows(err.cause, hide, depth + 1);
}

/** How many values a look into an error's properties reads at most (an error may carry a whole response body). */
const MAX_VALUES = 500;

/** One look into an error's properties: the objects seen, and how many more values may be read. */
interface Look {
  readonly seen: Set<unknown>;
  left: number;
}

/**
 * Whether a string within `value` (its own properties, a Map's or Headers' entries) shows a
 * secret, reading at most `look.left` values; binary data (a Buffer of a response body) is
 * not read.
 */
function holds(value: unknown, hide: (text: string) => string, look: Look, depth: number): boolean {
  if (look.left <= 0) return false;
  look.left--;
  if (typeof value === 'string') return hide(value) !== value;
  if (value === null || typeof value !== 'object' || look.seen.has(value) || depth > 6) return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  look.seen.add(value);
  if (value instanceof Map || value instanceof Headers) {
    for (const [k, v] of value as Iterable<[unknown, unknown]>) {
      if (holds(k, hide, look, depth + 1) || holds(v, hide, look, depth + 1)) return true;
      if (look.left <= 0) return false;
    }
  }
  for (const key of Reflect.ownKeys(value)) {
    if (holds(read(value, key), hide, look, depth + 1)) return true;
    if (look.left <= 0) return false;
  }
  return false;
}

/** `value[key]`, or undefined when reading it throws (a getter, a Proxy). */
function read(value: object, key: string | symbol): unknown {
  try {
    return (value as Record<string | symbol, unknown>)[key];
  } catch {
    return undefined;
  }
}

function copyHidden(err: unknown, hide: (text: string) => string, depth: number): unknown {
  if (depth >= MAX_DEPTH || err === undefined) return undefined;
  if (!(err instanceof Error)) return typeof err === 'object' && err !== null ? '(a value that held a secret, left out)' : hide(String(err));
  const cause = copyHidden(err.cause, hide, depth + 1);
  const copy = new Error(hide(err.message), cause === undefined ? undefined : { cause });
  copy.name = err.name;
  copy.stack = hide(err.stack ?? '');
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') (copy as { code?: unknown }).code = code;
  return copy;
}
