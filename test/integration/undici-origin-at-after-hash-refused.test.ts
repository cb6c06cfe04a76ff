// What broke (found by the third diff review): an `origins` key holding an `@` was shown hidden,
// but whether it was refused still rested on the URL parser, which reads a userinfo holding a `#`
// before its `@` (`http://admin#s3cret@svc.internal`) as the origin `http://admin` and a
// fragment: the key was silently accepted. A key holding an `@` is now always refused.
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

it('a key holding an @ after a # is refused, as the CHANGELOG says', () => {
  const client = track(createClient({ name: 'svc', discovery: ['http://127.0.0.1:9'] }));
  expect(() => bulwarkInterceptor({ origins: { 'http://admin#s3cret@svc.internal': client } })).toThrow(/holds an `@`/);
});
