import { Metadata, status as Status, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { authorizationOf, type Endpoint, type LiveEndpoint } from '../endpoints/endpoint.js';
import type { ChannelPool } from './channels.js';
import { codeName } from './codes.js';

/** The method of the standard health service (grpc/grpc-proto, grpc/health/v1/health.proto). */
export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** `HealthCheckResponse.ServingStatus` by number. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/**
 * `HealthCheckRequest { string service = 1; }` in protobuf wire format: field 1, wire type 2
 * (tag 0x0a), a varint length, the UTF-8 bytes. Written by hand so `bulwark/grpc` needs no
 * protobuf library at run time.
 */
export function encodeHealthRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  if (name.length === 0) return Buffer.alloc(0);
  const length: number[] = [];
  let n = name.length;
  while (n > 0x7f) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...length]), name]);
}

/**
 * Reads `HealthCheckResponse { ServingStatus status = 1; }`: the status enum's number (0,
 * UNKNOWN, when absent, as proto3 omits defaults). Fields it does not know are skipped; a
 * malformed message throws.
 */
export function decodeHealthResponse(buffer: Buffer): number {
  let status = 0;
  let i = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (i >= buffer.length) throw new Error('truncated HealthCheckResponse');
      const byte = buffer[i++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error('malformed varint in HealthCheckResponse');
  };
  while (i < buffer.length) {
    const tag = varint();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 0) status = varint();
    else if (wire === 0) varint();
    else if (wire === 2) {
      const length = varint();
      i += length;
    }
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unexpected wire type ${wire} in HealthCheckResponse`);
  }
  if (i > buffer.length) throw new Error('truncated HealthCheckResponse');
  return status;
}

/** The outcome of one check, as the health tracker wants it. */
export type HealthCheck = (endpoint: Endpoint, context: { readonly signal: AbortSignal }) => Promise<boolean>;

/**
 * A `health.checks.check` that asks `grpc.health.v1.Health/Check` for `service` ('' for the
 * server as a whole) over the endpoint's own channel, with the client's `callOptions` (its
 * interceptors and call credentials: a server that wants them on every method wants them here
 * too): SERVING passes; NOT_SERVING, UNKNOWN and SERVICE_UNKNOWN fail; a server without the
 * health service (UNIMPLEMENTED) passes, as gRPC's client-side health checking treats it (A17);
 * any other error fails the check.
 *
 * @example
 * const check = grpcHealthCheck(pool, 'users.v1.Users', { interceptors: [auth] });
 */
export function grpcHealthCheck(pool: ChannelPool, service: string, callOptions?: Omit<CallOptions, 'deadline'>): HealthCheck {
  const request = encodeHealthRequest(service);
  return (endpoint, { signal }) => new Promise<boolean>((resolve, reject) => {
    // The check holds the channel as an attempt does: a removed endpoint's channel closes after it.
    const lease = pool.acquire(endpoint);
    let call: ReturnType<typeof lease.client.makeUnaryRequest>;
    try {
      call = lease.client.makeUnaryRequest(HEALTH_CHECK_PATH, () => request, (b: Buffer) => b, request, checkMetadata(endpoint), { ...callOptions }, (error: ServiceError | null, value?: Buffer) => {
        lease.end();
        answered(error, value);
      });
    } catch (err) {
      lease.end();
      throw err;
    }
    function answered(error: ServiceError | null, value: Buffer | undefined): void {
      signal.removeEventListener('abort', cancel);
      if (error !== null) {
        if (error.code === Status.UNIMPLEMENTED) resolve(true);
        else reject(checkFailed(codeName(error.code), error));
        return;
      }
      try {
        const status = decodeHealthResponse(value!);
        if (status === 1) resolve(true);
        else reject(checkFailed(SERVING_STATUS[status] ?? `status ${status}`, undefined));
      } catch (err) {
        reject(err as Error);
      }
    }
    // A client interceptor's `cancel` may throw: from an abort listener that would be an
    // uncaught exception, as `close()` ends a check in flight.
    const cancel = (): void => {
      try {
        call.cancel();
      } catch {
        // The check ends on its own (its deadline).
      }
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
  });
}

/**
 * A check's metadata: the endpoint's userinfo as `authorization: Basic …`, as every attempt
 * sends it (and as fetch's HTTP check sends the header).
 */
function checkMetadata(endpoint: Endpoint): Metadata {
  const metadata = new Metadata();
  // The checker is handed the client's own endpoints (LiveEndpoints), which is what authorizationOf reads.
  const auth = authorizationOf(endpoint as LiveEndpoint);
  if (auth !== undefined) metadata.set('authorization', auth);
  return metadata;
}

/** An error whose string `code` is what the check saw, so the `health` event's reason names it (`NOT_SERVING`). */
function checkFailed(what: string, cause: unknown): Error {
  return Object.assign(new Error(`health check: ${what}`, { cause }), { code: what });
}
