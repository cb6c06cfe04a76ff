import type { MethodDefinition } from '@grpc/grpc-js';

/** Copies of a request whose round trip through the method's (de)serializer is lossy, with the bytes they stand for. */
const exactBytes = new WeakMap<object, Buffer>();
/** Each method's serializer that sends such a copy's bytes (one per method: an attempt allocates none). */
const serializers = new WeakMap<MethodDefinition<unknown, unknown>, (message: unknown) => Buffer>();

/**
 * A request message as it was when the call was made: serialized then, and read back for each
 * attempt, so that a caller who reuses (changes) the object after the call does not change what
 * a retry or a hedge sends; grpc-js's own retries resend the bytes of the call, too. Interceptors
 * still see a message object. One that cannot be serialized is kept as it is: grpc-js then fails
 * each attempt with its own "Request message serialization failure", as before.
 *
 * Reading bytes back and serializing them again is not always the identity: proto-loader's
 * `longs: Number` rounds a 64-bit integer given as a decimal string to a double, and its
 * `defaults: true` makes a proto2 field left unset present with its default value. When the
 * round trip changes the bytes (checked once per request, at its first attempt), each attempt
 * sends the bytes of the call through {@link exactSerializer}; a client interceptor that passes
 * on another message object still has that one sent (one that changes the copy in place then
 * does not: what is sent is the request as the caller made it).
 *
 * @example
 * const request = new RequestSnapshot(method, message);
 * client.makeUnaryRequest(method.path, exactSerializer(method), method.responseDeserialize, request.take(), …);
 */
export class RequestSnapshot {
  readonly #method: MethodDefinition<unknown, unknown>;
  readonly #bytes: Buffer | undefined;
  readonly #value: unknown;
  /** Whether reading the bytes back and serializing them again changes them; undefined until the first `take`. */
  #lossy: boolean | undefined;

  constructor(method: MethodDefinition<unknown, unknown>, value: unknown) {
    this.#method = method;
    this.#value = value;
    let bytes: Buffer | undefined;
    if (typeof method.requestDeserialize === 'function') {
      try {
        bytes = method.requestSerialize(value);
      } catch {
        bytes = undefined;
      }
    }
    this.#bytes = bytes;
  }

  /** A fresh copy of the message for one attempt; sent as the call's bytes when serializing it again would change them. */
  take(): unknown {
    const bytes = this.#bytes;
    if (bytes === undefined) return this.#value;
    const method = this.#method;
    const copy = method.requestDeserialize(bytes);
    this.#lossy ??= !sameBytes(method, copy, bytes);
    if (this.#lossy && typeof copy === 'object' && copy !== null) exactBytes.set(copy, bytes);
    return copy;
  }
}

/** Whether `copy`, serialized again, gives `bytes` (a serializer that throws on it: no). */
function sameBytes(method: MethodDefinition<unknown, unknown>, copy: unknown, bytes: Buffer): boolean {
  try {
    return method.requestSerialize(copy).equals(bytes);
  } catch {
    return false;
  }
}

/**
 * The serializer of `method`'s requests for attempts sending {@link RequestSnapshot} copies: the
 * call's own bytes for a copy whose round trip is lossy, `method.requestSerialize` for anything else.
 *
 * @example
 * client.makeServerStreamRequest(method.path, exactSerializer(method), method.responseDeserialize, request.take(), …);
 */
export function exactSerializer(method: MethodDefinition<unknown, unknown>): (message: unknown) => Buffer {
  let serialize = serializers.get(method);
  if (serialize === undefined) {
    serialize = (message) => (typeof message === 'object' && message !== null && exactBytes.get(message)) || method.requestSerialize(message);
    serializers.set(method, serialize);
  }
  return serialize;
}
