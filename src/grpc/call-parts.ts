// What a gRPC call's transport takes of the caller's arguments besides `execute`'s options:
// the messages of a client stream, the metadata, and whether the call is idempotent.
import type { Metadata } from '@grpc/grpc-js';
import { hideValue } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import type { GrpcCallOptions } from './client.js';
import type { RequestMessages } from './streams.js';
import type { CallParts } from './transport.js';

export function checkMessages(service: string, messages: unknown): RequestMessages<unknown> {
  if (messages === null || typeof messages !== 'object' || !(Symbol.iterator in messages || Symbol.asyncIterator in messages)) {
    throw new ConfigError(service, 'messages', 'must be an array or an (async) iterable of request messages', messages);
  }
  return messages as RequestMessages<unknown>;
}

/** What a call's transport takes of its options (runTransport has validated `classify` and `idempotent` by then). */
export function partsOf<T>(service: string, call: GrpcCallOptions<T> | undefined, idempotent: boolean): CallParts<T> {
  return { metadata: metadataOf(service, call), idempotent: call?.idempotent ?? idempotent, classify: call?.classify };
}

export function metadataOf(service: string, call: GrpcCallOptions<never> | undefined): Metadata | undefined {
  const metadata = call?.metadata;
  if (metadata !== undefined && (metadata === null || typeof (metadata as { clone?: unknown }).clone !== 'function')) {
    throw new ConfigError(service, 'metadata', 'must be a grpc-js Metadata', mayBeSecret(metadata));
  }
  return metadata;
}

/**
 * A rejected `credentials` or `metadata` value as ConfigError may show it. A plain object is
 * shown with its secret-looking keys hidden (ConfigError does that: `privateKey`,
 * `authorization`); anything else is not shown at all, as ConfigError would show it whole: a
 * string (a token), a Buffer (a key's bytes), header pairs or a Map (an authorization header).
 */
export function mayBeSecret(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return value;
  }
  return hideValue(value);
}
