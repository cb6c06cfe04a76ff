// What broke: README, "Options": createClient "validates everything at once and throws ConfigError naming
// the option. That includes keys it does not know, at any level, so a typo cannot silently
// keep a default". A static `discovery` array is "validated at creation". A typo in an
// endpoint object (`wieght`, `priorty`) silently keeps weight 1 / priority 0: a standby site
// meant as priority 1 then takes a full share of the calls.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    const client = fn() as { close(): Promise<void> };
    void client.close();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('a static endpoint object with a misspelt key', () => {
  it.each([
    ['wieght', { host: '10.0.0.1', port: 8080, wieght: 2 }],
    ['priorty', { host: '10.0.0.2', port: 8080, priorty: 1 }],
  ])('%s is refused with a ConfigError naming it', (key, endpoint) => {
    const err = thrown(() => createClient({ name: 'svc', discovery: [{ host: '10.0.0.9', port: 8080 }, endpoint as never] }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(`discovery[1].${key}`);
  });
});
