// What broke: a port over 65535 in an endpoint string got the generic format message, not one about the port.
// A mistyped port in an endpoint string (`http://10.0.0.1:80800`, one digit too many). README
// ("Endpoints and discovery"): "Ports are 1–65535 in both forms", and port 0 is refused so
// ("discovery[0].port must be an integer from 1 to 65535, got 0"). A port above 65535 gets
// only the generic "must be 'scheme://host:port/base' or 'host:port'", which the string
// already looks like: the user is not told that the port is what is wrong.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

describe('an endpoint string whose port is above 65535', () => {
  for (const entry of ['http://127.0.0.1:80800', '127.0.0.1:65536', 'tcp://127.0.0.1:70000']) {
    it(`${entry}: ConfigError at discovery[0].port naming the range`, () => {
      const err = thrownConfigError(() => createClient({ name: 'users', discovery: [entry] }));
      expect(err.path).toBe('discovery[0].port');
      expect(err.message).toContain('1 to 65535');
    });
  }
});
