import type { EndpointState } from '../endpoints/endpoint.js';
import { ConfigError, PluginError } from '../errors.js';
import type { Picker } from './picker.js';

/** Pickers hold per-client state; one used by two clients would balance neither well. */
const pickersInUse = new WeakSet<Picker>();

/** Marks `picker` as used by a client. */
export function claimPicker(picker: Picker): void {
  pickersInUse.add(picker);
}

/**
 * Checks the `picker` option has a picker's shape and is not already another client's.
 *
 * @example
 * checkPicker('users', options.picker ?? peakEwma());
 */
export function checkPicker(name: string, picker: unknown): asserts picker is Picker {
  const p = picker as Partial<Picker> | null;
  if (p === null || typeof p !== 'object' || typeof p.pick !== 'function' || typeof p.update !== 'function') {
    throw new ConfigError(name, 'picker', 'must be a Picker ({ name, update(endpoints), pick(request) })', picker);
  }
  if (pickersInUse.has(p as Picker)) {
    throw new ConfigError(name, 'picker', 'is already used by another client (create one picker per client)', p.name);
  }
  const decay = p.latencyDecay;
  if (decay !== undefined && !(typeof decay === 'number' && decay > 0 && Number.isFinite(decay))) {
    throw new ConfigError(name, 'picker.latencyDecay', 'must be a finite number of ms > 0', decay);
  }
}

/**
 * Gives `picker` its new candidates; a picker whose `update` throws is reported as a
 * `PluginError` naming it (the caller decides what it fails: a call, or a discovery update).
 *
 * @example
 * updatePicker('users', picker, registry.list);
 */
export function updatePicker(service: string, picker: Picker, endpoints: readonly EndpointState[]): void {
  try {
    picker.update(endpoints);
  } catch (err) {
    throw new PluginError(service, 'picker', `${picker.name}.update() threw`, { cause: err });
  }
}
