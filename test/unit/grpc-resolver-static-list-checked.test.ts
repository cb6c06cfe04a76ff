// What broke (README, "Errors": an invalid static endpoint is a ConfigError from "the adapters'
// and transports' factories"; found by the public-API review): registerGrpcResolver took a
// static list with a bad entry (`'http://h:99999'`) without a word, where createClient refuses
// the same list, as an array or as staticDiscovery's, with a ConfigError.
import { describe, expect, it } from 'vitest';
import { ConfigError, staticDiscovery } from '../../src/index.js';
import { registerGrpcResolver } from '../../src/grpc/index.js';

describe('registerGrpcResolver with a static list that has a bad entry', () => {
  for (const [label, discovery] of [['an array', ['http://h:99999']], ['staticDiscovery', staticDiscovery(['http://h:99999'])]] as const) {
    it(`${label}: a ConfigError when it is called, and the name stays free`, async () => {
      expect(() => registerGrpcResolver('static-list-checked', discovery as never)).toThrow(ConfigError);
      // Nothing was registered: the name can be used now.
      const registration = registerGrpcResolver('static-list-checked', ['127.0.0.1:50051']);
      await registration.unregister();
    });
  }
});
