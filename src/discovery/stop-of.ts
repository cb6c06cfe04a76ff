/** Stops a source: what its `watch` returns, or (an `async watch()`) resolves to. */
export type StopWatching = () => void | Promise<void>;

/**
 * What a discovery adapter's or a configuration source's `watch` returns, for `close()` (or the
 * function `watchConfig` returned) to stop it: a stop function (awaited when it returns a
 * promise), or the handle `watch` set up, stopped by the first of these methods it has, called
 * without arguments: `close` (an `fs.FSWatcher`, an interval's `Timeout`), `stop`,
 * `unsubscribe` (a subscription), `cancel`, `abort`, `Symbol.asyncDispose`, `Symbol.dispose`.
 * An event emitter other than a file watcher is not stopped, whatever its methods: what
 * `socket.on(…)` returns is your socket, which `close()` leaves alone.
 *
 * @example
 * const polling: Discovery = {
 *   watch(update, error) {
 *     const read = () => readFile('endpoints.json', 'utf8').then((t) => update(JSON.parse(t)), error);
 *     void read();
 *     return setInterval(read, 5_000); // a StopHandle: close() calls its close()
 *   },
 * };
 */
export type StopHandle =
  | (() => void | Promise<void>)
  | { close(): unknown }
  | { stop(): unknown }
  | { unsubscribe(): unknown }
  | { cancel(): unknown }
  | { abort(): unknown }
  | { [Symbol.asyncDispose](): unknown }
  | { [Symbol.dispose](): unknown };

/**
 * A source's stop function from whatever its `watch` returned: the function itself; for a
 * promise of one (an `async watch()`: the types forbid it, JavaScript code may still write it),
 * a stop that waits for that promise and then stops what it resolved to, so a watch set up
 * asynchronously is still stopped by `close()` (a rejected promise is a source that did not
 * start: it goes to `failed`); for a handle returned as it is (an `fs.FSWatcher`, a timer, a
 * subscription: `{ close() }`, `{ stop() }`, `{ unsubscribe() }`, a disposable), a stop that
 * calls that method; for anything else, nothing to stop.
 *
 * @example
 * const stop = stopOf(discovery.watch(update, error, rejected), error);
 * await stop();
 */
export function stopOf(returned: unknown, failed: (err: unknown) => void): StopWatching {
  if (typeof returned === 'function') return returned as StopWatching;
  const started = startedBy(returned, failed);
  if (started === undefined) return handleStop(returned) ?? noop;
  return async () => {
    const stop = await started;
    if (typeof stop === 'function') await (stop as StopWatching)();
    else await handleStop(stop)?.();
  };
}

/**
 * Stops what a discovery's or a configuration source's `watch` returned, as `close()` does: a
 * stop function is called (and awaited), a handle stopped by its `close`, `stop`, `unsubscribe`,
 * … method. For an adapter that wraps another, whose `watch` may return either.
 *
 * @example
 * const healthyOnly: Discovery = {
 *   watch(update, error, rejected) {
 *     const inner = source.watch((list) => update(list.filter(isHealthy)), error, rejected);
 *     return () => stopWatching(inner);
 *   },
 * };
 */
export async function stopWatching(handle: StopHandle): Promise<void> {
  await stopOf(handle, noop)();
}

/** `fs.watch`'s and `fs.watchFile`'s watchers (Node exports neither class, so they are told by name). */
function isFileWatcher(value: object): boolean {
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return name === 'FSWatcher' || name === 'StatWatcher';
}

function isEmitter(value: object): boolean {
  const { on, emit } = value as { on?: unknown; emit?: unknown };
  return typeof on === 'function' && typeof emit === 'function';
}

/** The methods that stop a handle, in the order tried: Node's watchers and timers, subscriptions, disposables. */
const STOP_METHODS: readonly (string | symbol)[] = ['close', 'stop', 'unsubscribe', 'cancel', 'abort', Symbol.asyncDispose, Symbol.dispose];

/**
 * A stop that calls the first of {@link STOP_METHODS} `handle` has (on `handle`), or `undefined`
 * when it has none. Not for an event emitter other than a file watcher: `.on()` returns the
 * emitter itself, so `watch: (update) => socket.on('message', …)` hands back the user's shared
 * socket (or server, or WebSocket), which `close()` must not close.
 */
function handleStop(handle: unknown): StopWatching | undefined {
  if (handle === null || typeof handle !== 'object') return undefined;
  if (isEmitter(handle) && !isFileWatcher(handle)) return undefined;
  for (const name of STOP_METHODS) {
    let method: unknown;
    try {
      method = (handle as Record<string | symbol, unknown>)[name];
    } catch {
      continue;
    }
    if (typeof method === 'function') return () => (method as (this: unknown) => void | Promise<void>).call(handle);
  }
  return undefined;
}

/** What a thenable `returned` resolves to (`undefined` once it rejected); `undefined` for anything else. */
function startedBy(returned: unknown, failed: (err: unknown) => void): Promise<unknown> | undefined {
  if (returned === null || (typeof returned !== 'object' && typeof returned !== 'function')) return undefined;
  let then: unknown;
  try {
    then = (returned as { then?: unknown }).then;
  } catch (err) {
    failed(err);
    return undefined;
  }
  if (typeof then !== 'function') return undefined;
  return Promise.resolve(returned).then(
    (stop) => stop,
    (err: unknown) => {
      try {
        failed(err);
      } catch {
        // a listener that throws must not make stop() reject
      }
      return undefined;
    },
  );
}

function noop(): void {}
