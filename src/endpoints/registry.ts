import { EndpointState, type EndpointInit } from './endpoint.js';
import { EndpointParseError, parseEndpoint, type ParsedEndpoint } from './parse.js';
import { describe, redactUrl } from '../errors.js';
import type { EndpointsEvent, EndpointRejectedEvent } from '../observe/events.js';

/** Callbacks through which the registry reports what it did. */
export interface RegistryListener {
  changed(event: EndpointsEvent): void;
  rejected(event: EndpointRejectedEvent): void;
  /** A whole update was unusable: the client treats it as a discovery error. */
  failed(error: Error): void;
}

/**
 * Owns one {@link EndpointState} per endpoint. Discovery hands it complete sets; it diffs them
 * by id so an endpoint that stays keeps its state and one that goes is dropped with it.
 */
export class EndpointRegistry {
  /** The current endpoints, in discovery's order; replaced (never mutated) on change. */
  list: readonly EndpointState[] = [];
  /** Whether discovery has delivered a first set yet. */
  known = false;
  readonly #byId = new Map<string, EndpointState>();
  readonly #decay: number;
  readonly #now: () => number;
  readonly #listener: RegistryListener;
  /** Calls waiting for a first set; each removes itself when it stops waiting. */
  readonly #waiters = new Set<() => void>();

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
   * Takes a complete set. Invalid entries are dropped (and reported); duplicates by id are
   * merged, keeping the first. Returns whether anything changed.
   */
  replace(inits: readonly EndpointInit[]): boolean {
    const entries = this.#read(inits);
    if (entries === undefined) return false;
    const parsed: ParsedEndpoint[] = [];
    const seen = new Set<string>();
    for (const init of entries) {
      const p = this.#parse(init);
      if (p !== undefined && !seen.has(p.id)) { seen.add(p.id); parsed.push(p); }
    }
    if (parsed.length === 0 && entries.length > 0) {
      // An update with entries but none usable is a failed refresh, not an empty service.
      this.#listener.failed(new Error(`discovery update had ${entries.length} entries and none was a valid endpoint; keeping the last good set`));
      return false;
    }
    const now = this.#now();
    const next: EndpointState[] = [];
    const added: EndpointState[] = [];
    let changed = parsed.length !== this.list.length;
    for (const p of parsed) {
      let state = this.#byId.get(p.id);
      if (state === undefined) {
        state = new EndpointState(p, this.#decay, now, this);
        added.push(state);
        changed = true;
      } else {
        // Metadata changes in place and alone reaches no picker; these fields do.
        if (state.weight !== p.weight || state.priority !== p.priority || state.zone !== p.zone) changed = true;
        state.refresh(p);
      }
      next.push(state);
    }
    // The list follows discovery's order, and order-sensitive pickers (round robin) must hear of a new one.
    if (next.some((e, i) => e !== this.list[i])) changed = true;
    const removed = this.list.filter((e) => !seen.has(e.id));
    if (!changed && removed.length === 0 && this.known) return false;
    this.#byId.clear();
    for (const e of next) this.#byId.set(e.id, e);
    this.list = next;
    // A picker that still hands out a removed endpoint is refused (docs/architecture.md, "Stages").
    for (const e of removed) e.retired = true;
    this.#listener.changed({ endpoints: next, added, removed });
    if (!this.known) {
      this.known = true;
      for (const wake of [...this.#waiters]) wake();
      this.#waiters.clear();
    }
    return true;
  }

  /**
   * A copy of the update's entries, or `undefined` (reported) when there is none to take. An
   * adapter may hand over a Proxy, an array with throwing getters or iterator: reading it must
   * not throw back into the adapter, and the error names no entry, which may hold a password.
   */
  #read(inits: unknown): readonly unknown[] | undefined {
    let entries: unknown[] | undefined;
    try {
      if (Array.isArray(inits)) entries = Array.from(inits as readonly unknown[]);
    } catch (err) {
      this.#listener.failed(new Error('discovery update could not be read (reading its entries threw); keeping the last good set', { cause: err }));
      return undefined;
    }
    if (entries === undefined) {
      this.#listener.rejected({ entry: describe(inits), reason: 'discovery update must be an array of endpoints' });
    }
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
