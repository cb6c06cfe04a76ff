import { LatencyEstimate, type PeakEwma } from '../observe/latency.js';
import type { EndpointHealth } from '../health/endpoint-health.js';
import type { ParsedEndpoint } from './parse.js';

/**
 * One endpoint as discovery describes it: a URL-ish string (`'http://host:port/base'` or
 * `'host:port'`) or an object.
 */
export type EndpointInit =
  | string
  | {
      host: string;
      port: number;
      /** A URL scheme: `'http'` (default), `'https'`, or any other (`'tcp'`, `'redis'`, …) for `execute`; a trailing `:` is allowed. */
      protocol?: string | undefined;
      /** Relative weight for weighted pickers; default 1. */
      weight?: number | undefined;
      /** Priority level, 0 is the most preferred; default 0. */
      priority?: number | undefined;
      zone?: string | undefined;
      metadata?: Record<string, string> | undefined;
      /** Path prefix prepended to every request path, e.g. `/api`. */
      basePath?: string | undefined;
    };

/** An endpoint after parsing: what pickers, `execute` functions and events see. */
export interface Endpoint {
  /** Stable identity used to diff endpoint sets: `protocol://host:port/base`, never userinfo. */
  readonly id: string;
  /** The scheme with its colon: `'http:'`, `'https:'`, `'tcp:'`, … (`fetch` takes only http and https endpoints). */
  readonly protocol: string;
  /** Host name or IP address, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** Path prefix without trailing slash, `''` when none. */
  readonly basePath: string;
  /** `protocol://host:port/base`: what a request path is appended to. */
  readonly url: string;
  readonly weight: number;
  readonly priority: number;
  readonly zone: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * An endpoint as pickers see it: the {@link Endpoint} fields plus its live `inflight`,
 * `successes`, `failures`, `cancelled`, `failuresInARow` and `latency`, all read-only. An
 * interface, so that it is a type only (endpoints are made by the client, never by users) that
 * a user's declarations can name (`import type { EndpointState } from 'bulwark'`); the client's
 * own {@link LiveEndpoint}s are what pickers get.
 *
 * @example
 * const byLoad = (a: EndpointState, b: EndpointState) => a.inflight - b.inflight;
 */
export interface EndpointState extends Endpoint {
  /** Attempts currently running against this endpoint, and established gRPC server and bidi streams still open there. */
  readonly inflight: number;
  /** Attempts finished, by outcome: judged a success, judged a failure, or cancelled (caller abort, close, lost hedge). */
  readonly successes: number;
  readonly failures: number;
  readonly cancelled: number;
  /** Attempts judged a failure since the last success (cancelled ones do not count). */
  readonly failuresInARow: number;
  /** Latency estimate used by `peakEwma` and shown in `stats()`. */
  readonly latency: PeakEwma;
}

/** What the registry keeps per endpoint: the endpoint plus its live load and latency. */
export class LiveEndpoint implements EndpointState {
  readonly id: string;
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly basePath: string;
  readonly url: string;
  weight: number;
  priority: number;
  zone: string | undefined;
  metadata: Readonly<Record<string, string>>;
  /** Attempts currently running against this endpoint, and established gRPC server and bidi streams still open there. */
  inflight = 0;
  /** Attempts finished, by outcome: judged a success, judged a failure, or cancelled (caller abort, close, lost hedge). */
  successes = 0;
  failures = 0;
  cancelled = 0;
  /** Attempts judged a failure since the last success (cancelled ones do not count). */
  failuresInARow = 0;
  /** Latency estimate used by `peakEwma` and shown in `stats()`. */
  readonly latency: LatencyEstimate;
  /** The registry that made this endpoint: a picker may only return endpoints of its own client. */
  readonly owner: object | undefined;
  /** Set once discovery removed the endpoint: it is no candidate any more. */
  retired = false;
  /** Whether it is in this client's subset (always, without subsetting): its pool or channel is kept only then. */
  inSubset = true;
  /** Whether it is among the candidates the picker was last given (a picker of the user's may return only those). */
  offered = false;
  /** Passive health, when the client tracks it; dropped with the endpoint. */
  health: EndpointHealth | undefined = undefined;
  /** What {@link LiveEndpoint.isOne} looks for: a copy, `Object.create` of one or a Proxy of one lacks it. */
  readonly #made = true;

  /**
   * Whether `value` is an endpoint object itself, made by a client: not a copy, an object
   * deriving from one (`Object.create(endpoint)`, whose fields could say another host) or a
   * Proxy of one, which all pass `instanceof` and read its fields through.
   *
   * @example
   * if (!LiveEndpoint.isOne(picked) || picked.owner !== registry) fail('not one of ours');
   */
  static isOne(value: unknown): value is LiveEndpoint {
    return typeof value === 'object' && value !== null && #made in value;
  }

  constructor(parsed: ParsedEndpoint, decay: number, now: number, owner?: object) {
    this.owner = owner;
    this.id = parsed.id;
    this.protocol = parsed.protocol;
    this.host = parsed.host;
    this.port = parsed.port;
    this.basePath = parsed.basePath;
    this.url = parsed.id;
    this.weight = parsed.weight;
    this.priority = parsed.priority;
    this.zone = parsed.zone;
    this.metadata = parsed.metadata;
    setAuthorization(this, parsed.authorization);
    this.latency = new LatencyEstimate(decay, now);
  }

  /** Takes the descriptive fields of a newer description of the same endpoint. */
  refresh(parsed: ParsedEndpoint): void {
    this.weight = parsed.weight;
    this.priority = parsed.priority;
    this.zone = parsed.zone;
    this.metadata = parsed.metadata;
    // Credentials are not part of the id, so a rotated password arrives as a refresh.
    setAuthorization(this, parsed.authorization);
  }

  toJSON(): Endpoint {
    return {
      id: this.id, protocol: this.protocol, host: this.host, port: this.port, basePath: this.basePath,
      url: this.url, weight: this.weight, priority: this.priority, zone: this.zone, metadata: this.metadata,
    };
  }
}

/**
 * `Basic …` header values for endpoints whose URL carried userinfo, kept off the endpoint
 * objects that events, `endpoints()` and custom pickers see.
 */
const authorizations = new WeakMap<LiveEndpoint, string>();

function setAuthorization(endpoint: LiveEndpoint, value: string | undefined): void {
  if (value === undefined) authorizations.delete(endpoint);
  else authorizations.set(endpoint, value);
}

/** The Authorization header value derived from the endpoint URL's userinfo, if it had any. */
export function authorizationOf(endpoint: LiveEndpoint): string | undefined {
  return authorizations.get(endpoint);
}

