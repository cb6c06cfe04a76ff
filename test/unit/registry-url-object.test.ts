// consulDiscovery's and eurekaDiscovery's `url` given as a URL object with `user:password@` (as
// Spring Cloud's `defaultZone` often carries) was refused with a ConfigError showing the password
// in its message and `value`; the same URL as a string was shown without it.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

const PASSWORD = 'S3cretPassw0rd';

describe('a url option given as a URL object with credentials', () => {
  it('consulDiscovery: the ConfigError does not show the password', () => {
    const err = thrownConfigError(() => consulDiscovery({ service: 'web', url: new URL(`http://admin:${PASSWORD}@consul:8500`) as unknown as string }));
    expect(err.path).toBe('url');
    expect(err.message).not.toContain(PASSWORD);
    expect(String(err.value)).not.toContain(PASSWORD);
  });

  it('eurekaDiscovery: the ConfigError does not show the password', () => {
    const err = thrownConfigError(() => eurekaDiscovery({ app: 'orders', url: new URL(`http://admin:${PASSWORD}@eureka:8761/eureka`) as unknown as string }));
    expect(err.path).toBe('url');
    expect(err.message).not.toContain(PASSWORD);
    expect(String(err.value)).not.toContain(PASSWORD);
  });
});
