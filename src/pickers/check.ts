import type { EndpointState, LiveEndpoint } from '../endpoints/endpoint.js';
import { ConfigError, PluginError } from '../errors.js';
import type { Picker } from './picker.js';

/** Pickers hold per-client state; one used by two clients would balance neither well. */
const pickersInUse = new WeakSet<Picker>();

/** The candidates each picker was last given: what it may return (see the attempt stage). */
const offered = new WeakMap<Picker, readonly LiveEndpoint[]>();

/** Built-in pickers given none of the user's functions (`random`, `now`, `hash`): their `pick` runs only our code. */
const selfContained = new WeakSet<Picker>();

/**
 * Marks a built-in `picker` as running none of the user's code when `options` gave it no
 * function; returns it.
 *
 * @example
 * return selfContainedUnless(new RoundRobinPicker(bits), opts);
 */
export function selfContainedUnless<P extends Picker>(picker: P, options: Readonly<Record<string, unknown>>): P {
  if (options['random'] === undefined && options['now'] === undefined && options['hash'] === undefined) selfContained.add(picker);
  return picker;
}

/**
 * Whether `picker.pick` may run the user's code (a picker of theirs, or a built-in one given a
 * function): the attempt stage then reads the clock again after the pick, since that code may
 * have taken long, closed the client or aborted the call.
 *
 * @example
 * const host = { ...rest, userPicker: runsUserCode(picker) };
 */
export function runsUserCode(picker: Picker): boolean {
  return !selfContained.has(picker);
}

/** Marks `picker` as used by a client. */
export function claimPicker(picker: Picker): void {
  pickersInUse.add(picker);
}

/** A closed client's picker may serve a new client (one made to replace it, say). */
export function releasePicker(picker: Picker): void {
  pickersInUse.delete(picker);
  offered.delete(picker);
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
    // A factory given uncalled (`picker: peakEwma`): say so.
    const factory = typeof picker === 'function' && picker.name !== '' ? ` (a picker factory? call it: \`${picker.name}()\`)` : '';
    throw new ConfigError(name, 'picker', `must be a Picker ({ name, update(endpoints), pick(request) })${factory}`, picker);
  }
  // Shown in stats().picker and in every PluginError about it.
  if (typeof p.name !== 'string' || p.name === '') throw new ConfigError(name, 'picker.name', 'must be a non-empty string (shown in stats().picker and errors)', p.name);
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
  // Marked before `update` runs: the set is in use even when a picker's update throws.
  const before = offered.get(picker);
  if (before !== undefined) for (const e of before) e.offered = false;
  for (const e of endpoints as readonly LiveEndpoint[]) e.offered = true;
  offered.set(picker, (endpoints as readonly LiveEndpoint[]).slice());
  try {
    // A picker of the user's gets a copy: the list is the client's own (its endpoints, or the
    // candidates health keeps), and one that sorts or empties what it is given must not change it.
    picker.update(runsUserCode(picker) ? endpoints.slice() : endpoints);
  } catch (err) {
    throw new PluginError(service, 'picker', `${picker.name}.update() threw`, { cause: err });
  }
}
