import { ConsecutiveBreaker, CountBreaker, SamplingBreaker, type CircuitState, type IBreaker } from 'cockatiel';
import { PluginError } from '../errors.js';
import { FailureRateBreaker } from '../pipeline/failure-rate-breaker.js';

/** The options a breaker comes from, as `PluginError.plugin` names them. */
type BreakerOption = 'health.breaker' | 'circuitBreaker.breaker';

/**
 * A breaker from the user's factory. cockatiel's own breakers are used as they are; any other is
 * wrapped so that a throw from it (or from the factory) becomes a `PluginError` naming the
 * option, which fails the call it was judging instead of escaping into the pipeline.
 *
 * @example
 * const breaker = makeBreaker(options.breaker, 'users', 'health.breaker');
 * if (breaker.failure(CircuitState.Closed)) eject();
 */
export function makeBreaker(make: () => IBreaker, service: string, option: BreakerOption): IBreaker {
  let breaker: IBreaker;
  try {
    breaker = make();
  } catch (err) {
    throw new PluginError(service, option, 'factory threw', { cause: err });
  }
  // Something that is not a breaker would fail every call it judged: refuse it where it is made.
  if (breaker === null || typeof breaker !== 'object' || typeof breaker.success !== 'function' || typeof breaker.failure !== 'function') {
    throw new PluginError(service, option, 'factory returned something that is not a breaker (an object with success() and failure())');
  }
  // Exactly cockatiel's or bulwark's (a subclass of one is the user's code, and wrapped).
  const proto: unknown = Object.getPrototypeOf(breaker);
  if (proto === ConsecutiveBreaker.prototype || proto === CountBreaker.prototype || proto === SamplingBreaker.prototype || proto === FailureRateBreaker.prototype) return breaker;
  return new GuardedBreaker(breaker, service, option);
}

class GuardedBreaker implements IBreaker {
  readonly #inner: IBreaker;
  readonly #service: string;
  readonly #option: BreakerOption;

  constructor(inner: IBreaker, service: string, option: BreakerOption) {
    this.#inner = inner;
    this.#service = service;
    this.#option = option;
  }

  get state(): unknown {
    return this.#inner.state;
  }

  set state(value: unknown) {
    this.#inner.state = value;
  }

  success(state: CircuitState): void {
    try {
      this.#inner.success(state);
    } catch (err) {
      throw new PluginError(this.#service, this.#option, 'success() threw', { cause: err });
    }
  }

  failure(state: CircuitState): boolean {
    try {
      return Boolean(this.#inner.failure(state));
    } catch (err) {
      throw new PluginError(this.#service, this.#option, 'failure() threw', { cause: err });
    }
  }
}
