// What broke: secrets under unknown keys or in URL keys of a live document came back in the ConfigError.
// Secrets in a live configuration document must not come back in the ConfigError that refuses
// it (README, "Options": "an unknown key's value is shown only when it is a number or a boolean,
// since it may be a secret"; redact.ts: "a key may be a URL with credentials").
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { fakeClockClients, thrownConfigError } from '../helpers/config-client.js';

const client = fakeClockClients();

describe('live configuration: secrets in a refused document', () => {
  it('health: false client, health document with an unknown string key: its value is not echoed (message nor value)', async () => {
    const c = client({ health: false });
    const rejected: unknown[] = [];
    c.on('configRejected', (e) => rejected.push(e.error));
    const doc = { health: { ejectionTime: 1_000, alertWebhook: 'https://hooks.example.com/services/T0/B0/SECRETPATH' } };
    c.watchConfig({ watch: (update) => { update(doc); return () => {}; } });
    expect(rejected).toHaveLength(1);
    const err = rejected[0] as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).not.toContain('SECRETPATH');
    expect(JSON.stringify(err.value)).not.toContain('SECRETPATH');
  });

  it('health: false client, health document with only live keys: refused as health off, its strings hidden', () => {
    const c = client({ health: false });
    const err = thrownConfigError(() => c.reconfigure({ health: { ejectionTime: 'https://u:SECRET@x/?token=SECRET', probes: 2 } } as never));
    expect(err.path).toBe('config.health');
    expect(err.message).toMatch(/cannot turn health tracking on/);
    expect(err.message).not.toContain('SECRET');
    expect(err.value).toEqual({ ejectionTime: '(hidden)', probes: 2 });
  });

  it('health: false client, an unknown health key is reported as such (keys are checked first)', () => {
    const c = client({ health: false });
    const err = thrownConfigError(() => c.reconfigure({ health: { alertWebhook: 'https://hooks.example.com/SECRETPATH' } } as never));
    expect(err.path).toBe('config.health.alertWebhook');
    expect(err.message).toMatch(/is not a live health option/);
    expect(err.value).toBe('(hidden)');
  });

  it('a non-plain value (a Date from a YAML loader) under a key that is a URL with credentials: the password is not in the ConfigError', () => {
    const c = client();
    const err = thrownConfigError(() => c.reconfigure({ 'postgres://app:hunter2@db.internal/x': new Date(0) } as never));
    expect(err.message).not.toContain('hunter2');
    expect(err.path).not.toContain('hunter2');
  });

  it('an unknown top-level key holding a non-plain value is "not a live option" (keys checked before the copy), its value hidden', () => {
    const c = client();
    const err = thrownConfigError(() => c.reconfigure({ 'postgres://app:hunter2@db.internal/x': new Date(0) } as never));
    expect(err.message).toMatch(/is not a live option/);
    expect(err.path).toBe('config.postgres://db.internal/x');
    expect(err.value).toBe('(hidden)');
  });

  it('a non-plain value under a live option, at a key that is a URL with credentials: refused as not JSON-like, the key shown without them', () => {
    const c = client();
    const err = thrownConfigError(() => c.reconfigure({ retry: { 'http://app:hunter2@db/x': new Date(0) } } as never));
    expect(err.message).toMatch(/must be JSON-like data/);
    expect(err.path).toBe('config.retry.http://db/x');
    expect(err.message).not.toContain('hunter2');
  });
});
