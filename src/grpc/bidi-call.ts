// A bidi-streaming call through the pipeline: its options (one attempt bounded only by the
// total deadline) and the stream handed to the caller as soon as the attempt starts.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { Client } from '../client.js';
import { runTransport } from '../client-seams.js';
import { isPlain, MAX_TIMER_MS } from '../config/fields.js';
import { resolveTimeouts } from '../config/resolve.js';
import { metadataOf } from './call-parts.js';
import type { GrpcCallOptions } from './client.js';
import { BidiStreamTransport } from './streams.js';
import type { MethodSetup } from './transport.js';

type BidiOptions = GrpcCallOptions<ClientDuplexStream<unknown, unknown>>;

/**
 * A bidi call: the stream reaches the caller as soon as its one attempt starts; the call's own
 * promise (until the server's first answer) only feeds health and latency, and errors arrive on
 * the stream. Failures before any attempt (invalid options, no endpoints, an abort, a closed
 * client) reject.
 */
export function bidi(client: Client, service: string, setup: MethodSetup, call: BidiOptions | undefined): Promise<ClientDuplexStream<unknown, unknown>> {
  return new Promise((resolve, reject) => {
    let delivered = false;
    // Throws (the promise rejects) with the ConfigError any call gets for an invalid timeout.
    const options = bidiOptions(service, call);
    // Read once runTransport has validated it.
    const given: unknown = isObject(call) ? call.timeout : undefined;
    const total = isObject(given) ? (given as { total?: number }).total : undefined;
    runTransport(client, options, ({ options: resolved, signal }) => new BidiStreamTransport(setup, metadataOf(service, call), call?.classify, total ?? resolved.totalTimeout, signal, (stream) => {
      delivered = true;
      resolve(stream);
    })).then(undefined, (err: unknown) => {
      if (!delivered) reject(err);
    });
  });
}

/**
 * The options a bidi call runs with. The attempt waits for the server's first answer, which may
 * follow the caller's messages: only the total timeout bounds it (the call's, or the client's as
 * it is now, after any reconfigure), so the attempt's own timeout is the longest a timer keeps.
 * The caller's `timeout` is validated before that one replaces its `attempt`, or an invalid
 * `timeout.attempt` would be dropped unseen instead of refused as on any other call. Options that
 * are not a plain object (a Promise, which a copy would turn into one), and a timeout that is not
 * an object, go to runTransport as they are: it refuses them with the ConfigError a unary call
 * gets (so do a timeout's unknown keys, kept).
 */
function bidiOptions(service: string, call: BidiOptions | undefined): BidiOptions | undefined {
  if (!isObject(call) || !isPlain(call)) return call;
  const given: unknown = call.timeout;
  if (given === undefined) return { ...call, timeout: { attempt: MAX_TIMER_MS } };
  if (!isObject(given)) return call;
  resolveTimeouts(service, given, 'timeout', MAX_TIMER_MS, MAX_TIMER_MS);
  return { ...call, timeout: { ...given, attempt: MAX_TIMER_MS } };
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}
