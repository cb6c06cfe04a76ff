import { LiveEndpoint, type EndpointInit } from './endpoint.js';
import { EndpointParseError, parseEndpoint, type ParsedEndpoint } from './parse.js';
import { describe, redactUrl } from '../redact.js';
import { record, sameDescription, sameObject, type Described, type Slot, type Text } from './registry-entries.js';
import type { EndpointsEvent, EndpointRejectedEvent } from '../observe/events.js';

/** Callbacks through which the registry reports what it did. */
export interface RegistryListener {
  changed(event: EndpointsEvent): void;
  rejected(event: EndpointRejectedEvent): void;
  /** A whole update was unusable (`detail` says why): the engine reports it as a `DiscoveryError`. */
  failed(detail: string, cause?: unknown): void;
}

/** Why an entry naming an endpoint an earlier entry of the same update named is dropped. */
const DUPLICATE = 'duplicate of an earlier entry (same id)';

/** Updates made while one is applied, applied one after another before such a loop is cut short. */
const MAX_DEFERRED = 8;

/**
 * Owns one {@link LiveEndpoint} per endpoint. Discovery hands it complete sets; it diffs them
 * by id so an endpoint that stays keeps its state and one that goes is dropped with it.
 *
 * An update costs in proportion to what changed, plus a string comparison per entry: an entry
 * is first compared with the one at the same place in the last update (discovery sends its sets
 * in much the same order; a skipped place is noticed), only a new or moved one is looked up by
 * its text, and only a string never seen in the last update is parsed (parsing is a pure
 * function of the text). An object entry equal, field by field, to the one at the same place
 * last time is not parsed again either; any other is. An endpoint whose description did not
 * change is not touched.
 */
export class EndpointRegistry {
  /** The current endpoints, in discovery's order; replaced (never mutated) on change. */
  list: readonly LiveEndpoint[] = [];
  /** Whether discovery has delivered a first set yet. */
  known = false;
  readonly #byId = new Map<string, Slot>();
  /** `#slots[i]` is the slot of `list[i]`. */
  #slots: readonly Slot[] = [];
  /** The strings of the last update that parsed, by their text. */
  readonly #byText = new Map<string, Text>();
  /** The entries of the last update, and for each one that parsed, its {@link Text} or {@link Described}. */
  #entries: readonly unknown[] = [];
  #texts: readonly (Text | Described | undefined)[] = [];
  /** The number of the update `#entries` came with. */
  #entriesUpdate = 0;
  /** Counts updates; a slot or a text seen in this one carries its number. */
  #update = 0;
  readonly #decay: number;
  readonly #now: () => number;
  readonly #listener: RegistryListener;
  /** Calls waiting for a first set; each removes itself when it stops waiting. */
  readonly #waiters = new Set<() => void>();
  /** Whether an update is being applied, and the latest one made meanwhile (see `replace`). */
  #replacing = false;
  #deferred: readonly EndpointInit[] | undefined;

  constructor(decay: number, now: () => number, listener: RegistryListener) {
    this.#decay = decay;
    this.#now = now;
    this.#listener = listener;
  }

  /** Calls `wake` once a first set has arrived; returns how to stop waiting. */
  onKnown(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => { this.#waiters.delete(wake); };
  }

  /**
   * Takes a complete set. Invalid entries are dropped (and reported); of entries naming one
   * endpoint (the same id), the first is kept and each later one dropped and reported. Returns
   * whether anything changed.
   */
  replace(inits: readonly EndpointInit[]): boolean {
    // An update made while one is being read (an entry's getter that calls update, a listener of
    // the change that does): applied once this one is done, the latest of them, never inside it
    // (it would leave the registry's records half of one set and half of the other).
    if (this.#replacing) {
      this.#deferred = inits;
      return false;
    }
    this.#replacing = true;
    let changed = false;
    // A throw of the client's listener (a picker's update) leaves the set applied: the updates
    // made meanwhile are applied all the same, and the first throw is passed on after them.
    let thrown: { error: unknown } | undefined;
    try {
      let next: readonly EndpointInit[] | undefined = inits;
      for (let round = 0; next !== undefined; round++) {
        if (round > MAX_DEFERRED) {
          this.#listener.failed('discovery kept updating while its updates were read (an entry getter that calls update?); keeping the last set applied');
          break;
        }
        try {
          changed = this.#apply(next) || changed;
        } catch (err) {
          thrown ??= { error: err };
        }
        next = this.#deferred;
        this.#deferred = undefined;
      }
    } finally {
      this.#replacing = false;
      this.#deferred = undefined;
    }
    if (thrown !== undefined) throw thrown.error;
    return changed;
  }

  #apply(inits: readonly EndpointInit[]): boolean {
    const entries = this.#read(inits);
    if (entries === undefined) return false;
    const update = ++this.#update;
    const previous = this.list;
    const previousSlots = this.#slots;
    const lastEntries = this.#entries;
    const lastTexts = this.#texts;
    const next: LiveEndpoint[] = [];
    const slots: Slot[] = [];
    const texts: (Text | Described | undefined)[] = [];
    const added: LiveEndpoint[] = [];
    let valid = 0;
    let textsSeen = 0;
    let kept = 0;
    // Read before anything changes: a clock that throws leaves the registry as it was.
    const now = this.#now();
    // Where this update is expected to go on, in the last update's entries and in `list`.
    let e = 0;
    let l = 0;
    // Order matters too: order-sensitive pickers (round robin) must hear of a new one.
    let changed = false;
    for (let i = 0; i < entries.length; i++) {
      const init = entries[i];
      let text: Text | Described | undefined;
      let p: ParsedEndpoint | undefined;
      if (typeof init === 'string') {
        // The entry at the same place last time, or the one after it (one was dropped before).
        if (e < lastEntries.length && lastEntries[e] === init) {
          text = lastTexts[e] as Text | undefined;
        } else if (e + 1 < lastEntries.length && lastEntries[e + 1] === init) {
          text = lastTexts[++e] as Text | undefined;
        } else {
          text = this.#byText.get(init);
          if (text !== undefined && text.seen === this.#entriesUpdate) e = text.at;
          else e--; // new here: the last update's entry at `e` may come next
        }
        e++;
        if (text === undefined) {
          p = this.#parse(init);
          if (p === undefined) {
            texts.push(undefined);
            continue;
          }
          text = { parsed: p, slot: undefined, seen: 0, at: 0 };
          this.#byText.set(init, text);
        }
        texts.push(text);
        if (text.seen !== update) { text.seen = update; textsSeen++; }
        text.at = i;
        p = text.parsed;
      } else {
        // An object equal to the one at the same place last time (or the next) parses the same.
        let described = sameObject(init, lastTexts[e]) ? lastTexts[e] as Described : undefined;
        if (described === undefined && sameObject(init, lastTexts[e + 1])) described = lastTexts[++e] as Described;
        e++;
        if (described === undefined) {
          p = this.#parse(init);
          if (p === undefined) {
            texts.push(undefined);
            continue;
          }
          described = record(init, p);
        }
        texts.push(described);
        text = described;
        p = described?.parsed ?? p!;
      }
      valid++;
      let slot = text?.slot;
      if (slot === undefined || !slot.live) {
        const at = previous[l];
        slot = at !== undefined && at.id === p.id ? previousSlots[l] : this.#byId.get(p.id);
      }
      if (slot === undefined) {
        slot = { state: new LiveEndpoint(p, this.#decay, now, this), parsed: p, seen: update, index: next.length, live: true };
        this.#byId.set(p.id, slot);
        added.push(slot.state);
        changed = true;
      } else if (slot.seen === update) {
        // A duplicate: the first one counts (its weight, its metadata), and this one is reported
        // as dropped, as an invalid entry is: a second weight or description is never silently lost.
        this.#listener.rejected({ entry: typeof init === 'string' ? redactUrl(init) : describe(init), reason: DUPLICATE });
        continue;
      } else {
        slot.seen = update;
        kept++;
        l = slot.index + 1;
        slot.index = next.length;
        if (slot.parsed !== p) {
          const state = slot.state;
          // Metadata changes in place and alone reaches no picker; these fields do.
          if (state.weight !== p.weight || state.priority !== p.priority || state.zone !== p.zone) changed = true;
          if (!sameDescription(slot.parsed, p)) state.refresh(p);
          slot.parsed = p;
        }
      }
      if (text !== undefined) text.slot = slot;
      if (previous[next.length] !== slot.state) changed = true;
      next.push(slot.state);
      slots.push(slot);
    }
    if (valid === 0 && entries.length > 0) {
      // An update with entries but none usable is a failed refresh, not an empty service.
      this.#listener.failed(`discovery update had ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} and none was a valid endpoint; keeping the last good set`);
      return false;
    }
    // Texts of the last update that this one does not hold are forgotten (the map holds no others).
    if (this.#byText.size > textsSeen) {
      for (let i = 0; i < lastTexts.length; i++) {
        const text = lastTexts[i];
        if (text !== undefined && 'seen' in text && text.seen !== update) this.#byText.delete(lastEntries[i] as string);
      }
    }
    this.#entries = entries;
    this.#texts = texts;
    this.#entriesUpdate = update;
    const removed: LiveEndpoint[] = [];
    if (kept < previous.length) {
      for (const slot of previousSlots) {
        if (slot.seen === update) continue;
        slot.live = false;
        this.#byId.delete(slot.state.id);
        removed.push(slot.state);
      }
    }
    if (next.length !== previous.length) changed = true;
    if (!changed && removed.length === 0 && this.known) return false;
    this.list = next;
    this.#slots = slots;
    // A picker that still hands out a removed endpoint is refused (docs/architecture.md, "Stages").
    for (const state of removed) state.retired = true;
    try {
      this.#listener.changed({ endpoints: next, added, removed });
    } finally {
      // The set is in use even when a listener threw (a picker's update): calls waiting for it go on.
      if (!this.known) {
        this.known = true;
        for (const wake of [...this.#waiters]) wake();
        this.#waiters.clear();
      }
    }
    return true;
  }

  /**
   * A copy of the update's entries, or `undefined` (reported as a failed refresh) when there is none to take. An
   * adapter may hand over a Proxy, an array with throwing getters or iterator: reading it must
   * not throw back into the adapter, and the error names no entry, which may hold a password.
   */
  #read(inits: unknown): readonly unknown[] | undefined {
    let entries: unknown[] | undefined;
    try {
      if (Array.isArray(inits)) entries = Array.from(inits as readonly unknown[]);
    } catch (err) {
      this.#listener.failed('discovery update could not be read (reading its entries threw); keeping the last good set', err);
      return undefined;
    }
    // Not an array at all (null, a Set, an object): no set to take, so a failed refresh, as an
    // unreadable one is. Calls then fail fast with its cause while no set is known.
    if (entries === undefined) this.#listener.failed(`discovery update must be an array of endpoints, got ${describe(inits)}; keeping the last good set`);
    // A URL object is the URL it holds: taken as its text, so it is known again by its text (a
    // changed path or password is a new entry), not by fields it does not have.
    else for (let i = 0; i < entries.length; i++) entries[i] = urlText(entries[i]);
    return entries;
  }

  /** One entry parsed, or `undefined` after reporting why it was dropped. */
  #parse(init: unknown): ParsedEndpoint | undefined {
    try {
      return parseEndpoint(init as EndpointInit);
    } catch (err) {
      // Anything else was thrown by the entry itself (a getter, a Proxy): its text is not ours to show.
      const reason = err instanceof EndpointParseError ? `endpoint${err.field} ${err.expected}` : 'endpoint could not be read';
      this.#listener.rejected({ entry: typeof init === 'string' ? redactUrl(init) : describe(init), reason });
      return undefined;
    }
  }
}

/** A URL object's text; anything else (a Proxy whose traps throw included) as it is. */
function urlText(entry: unknown): unknown {
  try {
    return entry instanceof URL ? entry.href : entry;
  } catch {
    return entry;
  }
}
