// A copy of the whole Eureka registry kept for delta fetches, as Eureka's client keeps one:
// deltas are applied to it, and its reconcile hash code (instance counts per status, over every
// application) is compared with the server's `apps__hashcode` to catch a missed delta.
import { asList, instanceIdOf, isObject } from './instances.js';

export class RegistryMirror {
  /** Per application (upper case): instance id → instance JSON (only the watched app's are kept whole). */
  readonly #apps = new Map<string, Map<string, { status: string; raw: unknown }>>();
  readonly #watched: string;

  constructor(watched: string) {
    this.#watched = watched;
  }

  /** Replaces everything with a full `/apps` answer's `applications`. Returns its `apps__hashcode`. */
  replace(applications: Record<string, unknown>): string | undefined {
    this.#apps.clear();
    for (const app of asList(applications.application)) {
      if (!isObject(app) || typeof app.name !== 'string') continue;
      for (const instance of asList(app.instance)) this.#put(app.name, instance);
    }
    return hashcodeOf(applications);
  }

  /** Applies a `/apps/delta` answer's `applications`: ADDED and MODIFIED replace, DELETED removes. */
  apply(applications: Record<string, unknown>): string | undefined {
    for (const app of asList(applications.application)) {
      if (!isObject(app) || typeof app.name !== 'string') continue;
      for (const instance of asList(app.instance)) {
        const action = isObject(instance) ? instance.actionType : undefined;
        if (action === 'DELETED') {
          const id = instanceIdOf(instance);
          const instances = this.#apps.get(app.name.toUpperCase());
          if (id !== undefined && instances !== undefined) {
            instances.delete(id);
            if (instances.size === 0) this.#apps.delete(app.name.toUpperCase());
          }
        } else this.#put(app.name, instance);
      }
    }
    return hashcodeOf(applications);
  }

  /** The watched application's instances. */
  instances(): unknown[] {
    return [...(this.#apps.get(this.#watched)?.values() ?? [])].map((e) => e.raw);
  }

  /** Eureka's reconcile hash code: `STATUS_count_` for each status, sorted by status (e.g. `DOWN_1_UP_4_`). */
  hashcode(): string {
    const counts = new Map<string, number>();
    for (const instances of this.#apps.values()) for (const { status } of instances.values()) counts.set(status, (counts.get(status) ?? 0) + 1);
    return [...counts.keys()].sort().map((s) => `${s}_${counts.get(s)}_`).join('');
  }

  #put(appName: string, instance: unknown): void {
    const name = appName.toUpperCase();
    // Without an id an instance cannot be tracked by deltas; the watched app keeps it (under its
    // JSON) so that mapping reports it, other apps count it for the hash code only.
    const id = instanceIdOf(instance) ?? `(no id) ${textOf(instance)}`;
    let instances = this.#apps.get(name);
    if (instances === undefined) this.#apps.set(name, (instances = new Map()));
    const status = isObject(instance) && typeof instance.status === 'string' ? instance.status : 'UNKNOWN';
    instances.set(id, { status, raw: name === this.#watched ? instance : undefined });
  }
}

function hashcodeOf(applications: Record<string, unknown>): string | undefined {
  return typeof applications.apps__hashcode === 'string' ? applications.apps__hashcode : undefined;
}

/** An instance's JSON, or a placeholder for one too deeply nested to stringify. */
function textOf(instance: unknown): string {
  try {
    return JSON.stringify(instance) ?? String(instance);
  } catch {
    return '(unreadable)';
  }
}
