// Live configuration (docs/architecture.md, "Live configuration"): which of a client's options
// may change while it runs, and how a document is laid over the options given to createClient.
import { ConfigError } from '../errors.js';
import { stopOf, type StopHandle, type StopWatching } from '../discovery/stop-of.js';
import { isPlain, layDefined, notPlainError } from './fields.js';
import { redactKey } from '../redact.js';
import { checkKeys, hideValue, type KeySet } from './keys.js';
import { CLIENT_KEYS, LIVE_HEALTH, LIVE_TOP, nestedKeys, type LiveHealthKey } from './option-keys.js';
import type { ClientOptions, HealthOptions, HedgeOptions, RetryOptions, TimeoutOptions } from './options.js';

/**
 * The policies a running client can change (`client.reconfigure`, `client.watchConfig`): the
 * JSON-shaped part of `createClient`'s options. Each top-level key given replaces the value
 * passed to `createClient` for that key; a key left out falls back to it. `health` is the
 * exception: its numbers are laid over `createClient`'s health options, whose functions and
 * feature switches (breaker, checks, outliers, slow start) stay as created.
 *
 * @example
 * users.reconfigure({ retry: false, hedge: false });       // no retries (nor hedges) from the next call on
 * users.reconfigure({ timeout: { attempt: 500 }, hedge: { delay: 'p95' } });
 * users.reconfigure({});                                   // back to createClient's options
 */
export interface LiveOptions {
  timeout?: TimeoutOptions | undefined;
  retry?: RetryOptions | false | undefined;
  hedge?: HedgeOptions | false | undefined;
  health?: Pick<HealthOptions, LiveHealthKey> | undefined;
}

export type { LiveHealthKey };
const REBUILD = 'it cannot change while the client runs: create a new client';

/**
 * A live document's top-level keys; createClient's other options are named as not live, and the
 * names createClient points elsewhere (p-retry's `retries`, a nested `attempts`) get its pointer.
 */
const LIVE_KEYS: KeySet = {
  known: LIVE_TOP,
  what: 'a live option',
  elsewhere: {
    ...CLIENT_KEYS.elsewhere,
    ...Object.fromEntries(CLIENT_KEYS.known.map((k) => [k, `${REBUILD}; live options: timeout, retry, hedge, health`])),
  },
};

/** A live document's `health` keys; the other health options are named as not live. */
const LIVE_HEALTH_KEYS: KeySet = {
  known: LIVE_HEALTH,
  what: 'a live health option',
  elsewhere: Object.fromEntries(nestedKeys('health').known.map((k) => [k, `${REBUILD}; live health options: ${LIVE_HEALTH.join(', ')}`])),
};

/**
 * A source of configuration documents for `client.watchConfig`: like a discovery adapter,
 * `watch` calls `update` with each complete document (a parsed JSON object) and `error` when
 * reading the source fails, and returns its stop function or the handle it set up (a
 * {@link StopHandle}: `return watch(path, read)` is stopped by its `close()`). `bulwark/etcd`'s `etcdConfig`
 * is one; a file watcher is a few lines (examples/live-config.ts).
 *
 * @example
 * // JSON.parse's SyntaxError quotes the text (secrets too), and configRejected would show it: not passed on.
 * const parse = (t: string): unknown => { try { return JSON.parse(t); } catch { throw new Error('live config: file is not JSON'); } };
 * const fromFile = (path: string): ConfigSource => ({
 *   watch(update, error) {
 *     // One read at a time, in order; the folder is watched, as a file replaced by a rename
 *     // (how deploy tools and Kubernetes write one) is a new file a watch on the old one misses.
 *     let reading = Promise.resolve();
 *     const read = () => { reading = reading.then(() => readFile(path, 'utf8').then(parse).then(update, error)); };
 *     read();
 *     const watcher = watch(dirname(path), (_event, name) => { if (name === basename(path)) read(); });
 *     return () => watcher.close();
 *   },
 * });
 */
export interface ConfigSource {
  watch(update: (document: unknown) => void, error: (err: unknown) => void): StopHandle;
}

/**
 * `given` (createClient's options) with `document` laid over it, for `resolveOptions` to
 * validate as it validates createClient's (unknown keys at any level included). Throws
 * `ConfigError` for what may not change while the client runs, and for a key that is no
 * option at all (suggesting a near one), naming the key.
 */
export function layLiveOptions(given: ClientOptions, document: unknown): ClientOptions {
  const service = given.name;
  if (document === null || typeof document !== 'object' || isArray(document)) {
    // A document left as text (a source that did not parse its JSON) may hold secrets: not echoed.
    const shown = typeof document === 'string' ? `(a string of ${document.length} characters)` : document;
    throw new ConfigError(service, 'config', 'must be an object of live options (timeout, retry, hedge, health)', shown);
  }
  const doc = readDocument(service, document) as Record<string, unknown>;
  checkKeys(service, doc, 'config.', LIVE_KEYS); // the copy's too: a Proxy may list other keys a second time
  const merged: ClientOptions = { ...given };
  if ('timeout' in doc) merged.timeout = doc.timeout === undefined ? given.timeout : (doc.timeout as TimeoutOptions);
  if ('retry' in doc) merged.retry = doc.retry === undefined ? given.retry : (doc.retry as RetryOptions | false);
  if ('hedge' in doc) merged.hedge = doc.hedge === undefined ? given.hedge : (doc.hedge as HedgeOptions | false);
  if (doc.health !== undefined) merged.health = layHealth(given, doc.health);
  return merged;
}

/** createClient's options that the client reads once, when it is made (never again for a document): kept as given. */
const READ_ONCE: readonly string[] = ['discovery', 'picker', 'clock'];

/**
 * createClient's options to lay documents over, with the plain objects and arrays of every
 * option a document is validated with (live or not: `circuitBreaker`, `subset`, … too) copied
 * now: a caller who later changes (or reuses) the objects it passed changes neither what `{}`
 * goes back to nor whether a document is accepted. Functions and other objects (a breaker
 * factory, a check) are kept, as are discovery, picker and clock, read only when the client is made.
 *
 * @example
 * this.#given = keepGiven(given);
 */
export function keepGiven(given: ClientOptions): ClientOptions {
  const kept: Record<string, unknown> = { ...given };
  // Deep enough for every level resolveOptions reads (`health.outliers.successRate.stdevFactor`).
  for (const key of Object.keys(kept)) if (!READ_ONCE.includes(key)) kept[key] = plainCopy(kept[key], DOCUMENT_DEPTH + 2, key, true);
  return kept as unknown as ClientOptions;
}

const HEALTH_OFF = 'cannot turn health tracking on while the client runs (it was created with health: false)';

/** Why a live `health` that is no object is refused (`off`: the client was created with `health: false`). */
function notHealthObject(off: boolean, health: unknown): string {
  const shape = `must be an object of live health options (${LIVE_HEALTH.join(', ')})`;
  if (off && health === true) return HEALTH_OFF;
  if (typeof health !== 'boolean') return shape;
  // A boolean: health tracking cannot be switched live either way; say which way it is.
  return `${shape}, or left out: health tracking is ${off ? 'off (the client was created with health: false)' : 'on'}, and a live document cannot switch it`;
}

function layHealth(given: ClientOptions, health: unknown): HealthOptions {
  const service = given.name;
  if (health === null || typeof health !== 'object' || Array.isArray(health)) {
    throw new ConfigError(service, 'config.health', notHealthObject(given.health === false, health), given.health === false ? hideValue(health) : health);
  }
  // Keys first: an unknown one is refused with its value hidden (it may be a secret), as anywhere else.
  checkKeys(service, health, 'config.health.', LIVE_HEALTH_KEYS);
  if (given.health === false) {
    // Its keys are live health options by now; their values are shown only when numbers or booleans.
    const shown = Object.fromEntries(Object.entries(health).map(([k, v]) => [k, hideValue(v)]));
    throw new ConfigError(service, 'config.health', HEALTH_OFF, shown);
  }
  // A number given as undefined is left out, as a top-level key is: createClient's value stays (not the default).
  return layDefined<HealthOptions>(given.health ?? {}, health);
}

/** Levels of a document read into a copy: the deepest live option (`retry.budget.ratio`) is at 3. */
const DOCUMENT_DEPTH = 4;

/**
 * A plain copy of `document`'s objects and arrays, each property read once, here: a document
 * that cannot be read (a getter or Proxy that throws) is refused with `ConfigError`, as an
 * invalid one is, rather than failing validation with its own exception. Its top-level keys are
 * checked first: a key that is no live option is refused as such, whatever it holds.
 */
function readDocument(service: string, document: object): unknown {
  try {
    checkKeys(service, document, 'config.', LIVE_KEYS);
    return plainCopy(document, DOCUMENT_DEPTH, 'config');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (err instanceof NotPlain && err.hole) throw new ConfigError(service, err.path, 'must be JSON-like data: an array with a value at every place', undefined);
    if (err instanceof NotPlain) {
      // The document itself is an object of options; deeper, arrays have their places (`retry.statusCodes`).
      const should = err.path === 'config' ? 'must be a plain object (JSON-like)' : 'must be JSON-like data (plain objects, arrays, numbers, strings, booleans)';
      throw notPlainError(service, err.path, err.value, should, 'its keys would be read as none, undoing every live change');
    }
    throw new ConfigError(service, 'config', 'could not be read (reading a property threw)', document);
  }
}

/** `Array.isArray`, false for a revoked Proxy (which it throws for): readDocument then reports it unreadable. */
function isArray(value: object): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** A value in a document that is an object but no plain one (a Promise, a Map, a class instance). */
class NotPlain extends Error {
  /** `hole`: an array with no value at `path` (a sparse one). */
  constructor(readonly path: string, readonly value: object, readonly hole: boolean = false) {
    super(path);
  }
}

/**
 * A copy of `value`'s plain objects and arrays, `depth` levels down. An object that is no plain
 * one is kept as it is with `keepOthers` (a breaker factory's options, a check), else refused,
 * at a path whose keys are shown as errors show them (a key that is a URL without its credentials).
 */
function plainCopy(value: unknown, depth: number, path: string, keepOthers = false): unknown {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      // A hole is no JSON-like data; refused here, at once, rather than after copying a length of
      // 2^31 that holds nothing (what the value would have been refused for there too).
      if (!keepOthers && !(i in value)) throw new NotPlain(`${path}[${i}]`, value, true);
      items.push(plainCopy(value[i], depth - 1, `${path}[${i}]`, keepOthers));
    }
    return items;
  }
  if (!isPlain(value)) {
    if (keepOthers) return value;
    // Its own enumerable keys are all a copy would see: a Promise (a source that forgot to await
    // its parse) or a Map would become `{}`, which lays createClient's options back silently.
    throw new NotPlain(path, value);
  }
  const copy: Record<string, unknown> = {};
  // Defined, not assigned: an own `__proto__` key (JSON.parse makes them) stays a key, refused as
  // unknown, instead of becoming the copy's prototype, which hid it from the key check while
  // what it held was read as options.
  // Its own enumerable keys, as JSON has them: a document is data. (A hidden key is neither read
  // nor refused: helpers some config libraries hide on every object, node-config's `get` and `has`.)
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, { value: plainCopy((value as Record<string, unknown>)[key], depth - 1, `${path}.${redactKey(key)}`, keepOthers), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Starts `source` and hands each document to `apply`; what `apply` throws, and what the source
 * reports as an error, goes to `rejected`. A source that throws on start counts as a failed
 * read. Returns a stop function after which nothing reaches `apply`; every call of it returns
 * the same promise, which resolves once the source has stopped. `watches` (the client's) holds
 * the stop function from before the source starts until it has stopped: a `close()` made while
 * it starts (by a listener of its first, synchronous document) stops it too.
 *
 * @example
 * const stop = followConfig(source, (doc) => client.reconfigure(doc), report, watches);
 */
export function followConfig(source: ConfigSource, apply: (document: unknown) => void, rejected: (error: unknown) => void, watches: Set<() => Promise<void>>): () => Promise<void> {
  let active = true;
  let stopSource: StopWatching = () => {};
  let started!: () => void;
  const start = new Promise<void>((resolve) => { started = resolve; });
  let stopping: Promise<void> | undefined;
  // Nothing reaches `apply` from the moment stop is asked for; a stop asked for while the source
  // starts waits for the start (and its stop function) to stop it.
  const stop = (): Promise<void> => {
    active = false;
    return (stopping ??= start.then(async () => {
      try {
        await stopSource();
      } catch (err) {
        rejected(err);
      }
    }).finally(() => { watches.delete(stop); }));
  };
  watches.add(stop);
  const report = (error: unknown): void => {
    if (active) rejected(error);
  };
  try {
    const stopped: unknown = source.watch((document) => {
      if (!active) return;
      try {
        apply(document);
      } catch (err) {
        rejected(err);
      }
    }, report);
    stopSource = stopOf(stopped, report);
  } catch (err) {
    report(err);
  } finally {
    started();
  }
  return stop;
}
