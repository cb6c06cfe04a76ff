import type { MethodDefinition } from '@grpc/grpc-js';

/**
 * A request message as it was when the call was made: serialized then, and read back for each
 * attempt, so that a caller who reuses (changes) the object after the call does not change what
 * a retry or a hedge sends; grpc-js's own retries resend the bytes of the call, too. Interceptors
 * still see a message object. One that cannot be serialized is kept as it is: grpc-js then fails
 * each attempt with its own "Request message serialization failure", as before.
 */
export class RequestSnapshot {
  readonly #method: MethodDefinition<unknown, unknown>;
  readonly #bytes: Buffer | undefined;
  readonly #value: unknown;

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

  /** A fresh copy of the message for one attempt. */
  take(): unknown {
    return this.#bytes === undefined ? this.#value : this.#method.requestDeserialize(this.#bytes);
  }
}
