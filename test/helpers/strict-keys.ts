// A table-driven check that a factory refuses unknown option keys: a misspelled key throws
// ConfigError naming its full path and the near key, an unrelated key throws listing the known
// keys (its value hidden), and every documented key is still accepted.
import { describe, expect, it } from 'vitest';
import { thrownConfigError } from './config-client.js';

type Options = Record<string, unknown>;

/** An unrelated key: options added to `base`, the path named, and what the message says. */
export interface Unknown {
  readonly extra: Options;
  readonly path: string;
  /** Keys the message must list as known; default the keys of the row's `all`. */
  readonly known?: readonly string[] | undefined;
  /** Default the row's `what` (a nested object has its own). */
  readonly what?: string | undefined;
}

/** One factory (picker, adapter, wrapper) and the keys it must take and refuse. */
export interface StrictCase {
  /** The row's name in the report: the factory, e.g. `peakEwma` or `dnsDiscovery (srv)`. */
  readonly name: string;
  /** `ConfigError.service` expected. */
  readonly service: string;
  /** What the message says an unknown key is not, e.g. `an option of peakEwma`. */
  readonly what: string;
  /** Makes the factory's product from `options`; a bad key throws synchronously. */
  readonly build: (options: Options) => unknown;
  /** Options every build gets (the required ones), under what a case adds. */
  readonly base?: Options | undefined;
  /** Every documented key at a valid value, over `base`. */
  readonly all: Options;
  /** Misspelled keys: options added to `base`, the path named, the path suggested, and what the message says the key is not (default the row's `what`). */
  readonly typos: readonly (readonly [Options, string, string, string?])[];
  /** Unrelated keys (given secret-like string values). */
  readonly unknown: readonly Unknown[];
  /** Releases what `build` made (closes a client, stops a registration). */
  readonly dispose?: ((made: unknown) => unknown) | undefined;
}

/** Registers, for each row, the tests of the three rules above. */
export function describeStrictKeys(title: string, rows: readonly StrictCase[]): void {
  describe(title, () => {
    const typos = rows.flatMap((r) => r.typos.map(([extra, path, near, what = r.what]) => [`${r.name} ${path}`, r, extra, path, near, what] as const));
    it.each(typos)('%s: a misspelled key throws naming it and the near key', (_name, row, extra, path, near, what) => {
      const err = thrownConfigError(() => row.build({ ...row.base, ...extra }));
      expect(err.code).toBe('ERR_BULWARK_CONFIG');
      expect(err.service).toBe(row.service);
      expect(err.path).toBe(path);
      expect(err.message).toContain(`${row.service}: ${path} is not ${what} (did you mean \`${near}\`?)`);
    });

    const unknown = rows.flatMap((r) => r.unknown.map((u) => [`${r.name} ${u.path}`, r, u] as const));
    it.each(unknown)('%s: an unrelated key throws listing the known keys, its value hidden', (_name, row, { extra, path, known = Object.keys(row.all), what = row.what }) => {
      const err = thrownConfigError(() => row.build({ ...row.base, ...extra }));
      expect(err.service).toBe(row.service);
      expect(err.path).toBe(path);
      expect(err.message).toContain(`${row.service}: ${path} is not ${what} (known: `);
      const list = /\(known: ([^)]*)\)/.exec(err.message)?.[1]?.split(', ');
      expect(list).toEqual(expect.arrayContaining([...known]));
      expect(err.message).not.toContain('did you mean');
      expect(err.message).not.toContain('hunter2');
      expect(JSON.stringify(err.value ?? null)).not.toContain('hunter2');
    });

    it.each(rows.map((r) => [r.name, r] as const))('%s: every documented key is accepted', async (_name, row) => {
      const made = row.build({ ...row.base, ...row.all });
      await row.dispose?.(made);
    });
  });
}
