// eurekaRegistration's instance strings that Eureka keeps as they are (vipAddress,
// secureVipAddress and the page URLs): another type was registered as JSON of another shape
// (a number, an object) that Eureka's readers do not expect. A ConfigError names the field.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { eurekaRegistration } from '../../src/eureka/index.js';

const base = { url: 'http://127.0.0.1:1/eureka', app: 'orders', instance: { hostName: 'orders-1', ipAddr: '127.0.0.1', port: 8080 } };

describe('eurekaRegistration instance fields', () => {
  it.each(['vipAddress', 'secureVipAddress', 'homePageUrl', 'statusPageUrl', 'healthCheckUrl'])('refuses a %s that is not a non-empty string', (field) => {
    for (const value of [42, { url: 'x' }, '']) {
      let thrown: unknown;
      try {
        void eurekaRegistration({ ...base, instance: { ...base.instance, [field]: value } } as never).stop();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).path).toBe(`instance.${field}`);
    }
  });
});
