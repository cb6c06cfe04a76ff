// The errors bulwark/etcd reports: to a client's `discoveryError` and `configRejected` events,
// and to a registration's `onError`.
import { BulwarkError } from '../errors.js';

/**
 * Something the etcd adapter could not do or use: a failed request or watch, a prefix whose
 * entries are none of them valid endpoints, a configuration key deleted or not JSON, a lease
 * that could not be kept. `service` is the prefix or key it was about; `cause` is etcd3's error.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof EtcdError) log.warn(error.service, error.message); });
 */
export class EtcdError extends BulwarkError {
  /**
   * @example
   * throw new EtcdError('services/users/', 'etcd refused the range read', { cause: err });
   */
  constructor(about: string, message: string, options?: { cause?: unknown }) {
    super('ERR_BULWARK_ETCD', about, message, options);
  }
}
