// Validation of the `retry` options: attempts, retry budget, backoff, retried statuses.
import { ConfigError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { field, NON_NEGATIVE_MS, nonNegativeMs, optionObject, positiveMs } from './fields.js';
import type { ResolvedOptions } from './resolved.js';

/** The retry settings of a resolved option set. */
export type ResolvedRetry = Pick<ResolvedOptions, 'attempts' | 'budget' | 'backoffBase' | 'backoffCap' | 'statusCodes'>;

/** Validates `retry` (an object, `false` for one attempt per call, or `undefined` for the defaults). */
export function resolveRetry(service: string, value: unknown): ResolvedRetry {
  const retry = optionObject(service, value, 'retry', true);
  if (retry === false) {
    return { attempts: 1, budget: false, backoffBase: DEFAULTS.backoffBase, backoffCap: DEFAULTS.backoffCap, statusCodes: new Set(DEFAULTS.statusCodes) };
  }
  const sub = (key: string): unknown => (retry === undefined ? undefined : (retry as Record<string, unknown>)[key]);
  const attempts = field(service, retry, 'attempts', 'retry.attempts', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100, 'must be an integer ≥ 1 (at most 100)', DEFAULTS.attempts as number);
  return { attempts, budget: resolveBudget(service, sub('budget')), ...resolveBackoff(service, sub('backoff')), statusCodes: resolveStatusCodes(service, sub('statusCodes')) };
}

function resolveBudget(service: string, value: unknown): ResolvedOptions['budget'] {
  const b = optionObject(service, value, 'retry.budget', true);
  if (b === false) return false;
  return {
    ratio: field(service, b, 'ratio', 'retry.budget.ratio', (v) => typeof v === 'number' && v >= 0 && v <= 1000, 'must be a number from 0 to 1000', DEFAULTS.budgetRatio as number),
    minPerSecond: field(service, b, 'minPerSecond', 'retry.budget.minPerSecond', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'must be a finite number ≥ 0', DEFAULTS.budgetMinPerSecond as number),
    window: field(service, b, 'window', 'retry.budget.window', (v) => positiveMs(v) && (v as number) >= 10, 'must be a finite number of ms ≥ 10 (at most 2³¹−1)', DEFAULTS.budgetWindow as number),
  };
}

function resolveBackoff(service: string, value: unknown): { backoffBase: number; backoffCap: number } {
  const bo = optionObject(service, value, 'retry.backoff') as object | undefined;
  const base = field(service, bo, 'base', 'retry.backoff.base', nonNegativeMs, NON_NEGATIVE_MS, DEFAULTS.backoffBase as number);
  const cap = field(service, bo, 'cap', 'retry.backoff.cap', nonNegativeMs, NON_NEGATIVE_MS, Math.max(DEFAULTS.backoffCap, base));
  if (cap < base) throw new ConfigError(service, 'retry.backoff.cap', `must be ≥ retry.backoff.base (${base})`, cap);
  return { backoffBase: base, backoffCap: cap };
}

function resolveStatusCodes(service: string, value: unknown): ReadonlySet<number> {
  if (value === undefined) return new Set(DEFAULTS.statusCodes);
  if (!Array.isArray(value)) throw new ConfigError(service, 'retry.statusCodes', 'must be an array of HTTP statuses (100–599)', value);
  // The element is named: `['503']` or `[5030]` is refused for one entry, not for being an array.
  const bad = value.findIndex((s) => !Number.isInteger(s) || s < 100 || s > 599);
  if (bad !== -1) throw new ConfigError(service, `retry.statusCodes[${bad}]`, 'must be an HTTP status, an integer from 100 to 599', value[bad]);
  return new Set(value as number[]);
}
