/** Stops a source: what its `watch` returns, or (an `async watch()`) resolves to. */
export type StopWatching = () => void | Promise<void>;

/**
 * A source's stop function from whatever its `watch` returned: the function itself; for a
 * promise of one (an `async watch()`: the types forbid it, JavaScript code may still write it),
 * a stop that waits for that promise and then calls the
 * function it resolved to, so a watch set up asynchronously is still stopped by `close()`
 * (a rejected promise is a source that did not start: it goes to `failed`); for anything else,
 * nothing to stop.
 *
 * @example
 * const stop = stopOf(discovery.watch(update, error, rejected), error);
 * await stop();
 */
export function stopOf(returned: unknown, failed: (err: unknown) => void): StopWatching {
  if (typeof returned === 'function') return returned as StopWatching;
  const started = startedBy(returned, failed);
  if (started === undefined) return noop;
  return async () => {
    const stop = await started;
    if (typeof stop === 'function') await (stop as StopWatching)();
  };
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
