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
    if (!Array.isArray(inits)) {
      this.#listener.rejected({ entry: describe(inits), reason: 'discovery update must be an array of endpoints' });
      return false;
    }
    const parsed: ParsedEndpoint[] = [];
    const seen = new Set<string>();
    for (const init of inits as readonly EndpointInit[]) {
      try {
        const p = parseEndpoint(init);
        if (!seen.has(p.id)) { seen.add(p.id); parsed.push(p); }
      } catch (err) {
        const reason = err instanceof EndpointParseError ? `endpoint${err.field} ${err.expected}` : String(err);
        this.#listener.rejected({ entry: typeof init === 'string' ? redactUrl(init) : describe(init), reason });
      }
    }
    if (parsed.length === 0 && inits.length > 0) {
      // An update with entries but none usable is a failed refresh, not an empty service.
      this.#listener.failed(new Error(`discovery update had ${inits.length} entries and none was a valid endpoint; keeping the last good set`));
      return false;
    }
    const now = this.#now();
    const next: EndpointState[] = [];
    const added: EndpointState[] = [];
    let changed = parsed.length !== this.list.length;
    for (const p of parsed) {
      let state = this.#byId.get(p.id);
      if (state === undefined) {
        state = new EndpointState(p, this.#decay, now);
        added.push(state);
        changed = true;
      } else {
        // Metadata changes in place and alone reaches no picker; these fields do.
        if (state.weight !== p.weight || state.priority !== p.priority || state.zone !== p.zone) changed = true;
        state.refresh(p);
      }
      next.push(state);
    }
    const removed = this.list.filter((e) => !seen.has(e.id));
    if (!changed && removed.length === 0 && this.known) return false;
    this.#byId.clear();
    for (const e of next) this.#byId.set(e.id, e);
    this.list = next;
    this.#listener.changed({ endpoints: next, added, removed });
    if (!this.known) {
      this.known = true;
      for (const wake of [...this.#waiters]) wake();
      this.#waiters.clear();
    }
    return true;
  }
}
