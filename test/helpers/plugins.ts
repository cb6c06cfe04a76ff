// Plugins of the user's kind that tests hand to a client: pickers that run the test's own code
// mid-pick or on update, and a discovery whose endpoint set the test replaces.
import type { Discovery, EndpointInit, EndpointState, Picker, PickRequest } from '../../src/index.js';

/** A picker of the user's: the first untried endpoint, after running `during` (its own code). */
export function userPicker(during: () => void): Picker {
  let list: readonly EndpointState[] = [];
  return {
    name: 'mine',
    update(endpoints) { list = endpoints; },
    pick(request: PickRequest) {
      during();
      return list.find((e) => !request.tried.includes(e)) ?? list[0];
    },
  };
}

/** A picker of the user's that always prefers 10.0.0.1 (while untried), and runs `onUpdate` on every update. */
export function prefersFirst(onUpdate: (list: readonly EndpointState[]) => void): Picker {
  let list: readonly EndpointState[] = [];
  return {
    name: 'prefers-first',
    update(endpoints) { list = endpoints; onUpdate(endpoints); },
    pick(request) {
      const untried = list.filter((e) => !request.tried.includes(e));
      return untried.find((e) => e.host === '10.0.0.1') ?? untried[0];
    },
  };
}

/**
 * Discovery over 10.0.0.1–3:80 and a {@link prefersFirst} picker whose `update`, once `arm()`ed,
 * has discovery remove 10.0.0.1 as soon as an update leaves it out of the candidates (as a probe
 * of it starts): the user's code removing an endpoint between the pick and the send.
 */
export function removedAsProbed(): { discovery: Discovery; picker: Picker; arm(): void } {
  const all = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];
  let push!: (set: readonly EndpointInit[]) => void;
  let armed = false;
  const picker = prefersFirst((list) => {
    if (armed && !list.some((e) => e.host === '10.0.0.1')) {
      armed = false;
      push(all.slice(1));
    }
  });
  return { discovery: { watch(update) { push = update; update(all); return () => {}; } }, picker, arm: () => { armed = true; } };
}

/** A discovery whose set the test replaces with `set`. */
export function movable(initial: EndpointInit[]): Discovery & { set(list: EndpointInit[]): void } {
  let push: ((list: readonly EndpointInit[]) => void) | undefined;
  let current = initial;
  return {
    watch(update) { push = update; update(current); return () => { push = undefined; }; },
    set(list) { current = list; push?.(list); },
  };
}
