// How `fetch` releases a response it will not hand to the caller (a retried 503, a hedge's
// loser): its body is read away in the background, as undici's responses are (undici/drain.ts),
// so that its connection carries the next request; cancelling it would have undici close the
// connection whenever the body had not all arrived.
import { DRAIN_LIMIT, DRAIN_TIMEOUT_MS } from '../undici/drain.js';

/**
 * Reads `body` away in the background: at most DRAIN_LIMIT bytes (128 KiB), within DRAIN_TIMEOUT_MS
 * (1 s), else it is cancelled (its connection closed); cancelled at once when `closing` aborts (the
 * client's `close()`: nothing of it outlives that). A body that is no `ReadableStream` (a fetch
 * function of yours may answer another kind) is cancelled if it can be. Never rejects, never throws.
 *
 * @example
 * drainWebBody(response.body, closing.signal); // a retried 503's
 */
export function drainWebBody(body: unknown, closing?: AbortSignal): void {
  try {
    if (!(body instanceof ReadableStream)) {
      (body as { cancel?: () => Promise<unknown> } | null | undefined)?.cancel?.().catch(ignore);
      return;
    }
    if (body.locked) return;
    if (closing?.aborted === true) {
      body.cancel().catch(ignore);
      return;
    }
    void readAway(body.getReader(), closing);
  } catch {
    // A body whose members throw: nothing more to release.
  }
}

async function readAway(reader: ReadableStreamDefaultReader<unknown>, closing: AbortSignal | undefined): Promise<void> {
  let read = 0;
  let late = false;
  const giveUp = (): void => {
    late = true;
    reader.cancel().catch(ignore);
  };
  const timer = setTimeout(giveUp, DRAIN_TIMEOUT_MS);
  timer.unref();
  closing?.addEventListener('abort', giveUp, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || late) return;
      read += (value as { byteLength?: number } | undefined)?.byteLength ?? 0;
      if (read > DRAIN_LIMIT) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // Cancelled, or the connection failed: nothing more to read.
  } finally {
    clearTimeout(timer);
    closing?.removeEventListener('abort', giveUp);
  }
}

function ignore(): void {}
