import { BulwarkError } from '../errors.js';

/**
 * Eureka answered with an error status or with something that is not its documented JSON, or
 * could not be reached. `status` is the HTTP status when there was one. Request headers (an
 * `Authorization`) never appear in it.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof EurekaError && error.status === 404) log.warn('app not in Eureka'); });
 */
export class EurekaError extends BulwarkError {
  /** The HTTP status Eureka answered with, if it answered. */
  readonly status: number | undefined;
  /**
   * @example
   * throw new EurekaError('USERS', 'Eureka answered 503', 503);
   */
  constructor(app: string, message: string, status?: number, options?: { cause?: unknown }) {
    super('ERR_BULWARK_EUREKA', app, `${app}: ${message}`, options);
    this.status = status;
  }
}
