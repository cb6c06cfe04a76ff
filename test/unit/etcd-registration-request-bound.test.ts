// What broke: the registration's lease grant and put had no deadline: a silently dead connection hung it without a word.
// etcdRegistration's lease grant and put are bounded like discovery's etcd requests
// (ETCD_REQUEST_TIMEOUT): the etcd3 client sets no deadline, so over a connection that died
// without a word (no RST, no answer) a grant or a put would wait for ever, with nothing reported
// to onError and no retry. The client below is such a connection: etcd never answers what is
// said to stall; fake timers make the 10 s bound take no time.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { etcdRegistration } from '../../src/etcd/index.js';
import { ETCD_REQUEST_TIMEOUT } from '../../src/etcd/range-read.js';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** An etcd3 client over a dead connection: reads and watches never answer, nor `stall`ed lease requests. */
function deadClient(stall: 'grant' | 'put'): { client: never; grants: () => number; puts: () => number } {
  let grants = 0;
  let puts = 0;
  const lease = () => {
    grants++;
    return {
      grant: () => (stall === 'grant' ? never<string>() : Promise.resolve('7')),
      put: () => ({ value: () => ({ exec: () => { puts++; return never(); } }) }),
      on: () => {},
      release: () => {},
      revoked: () => false,
      revoke: () => Promise.resolve(),
      keepaliveOnce: () => never(),
    };
  };
  const client = {
    get: () => ({ exec: () => never() }),
    getAll: () => ({ exec: () => never() }),
    watch: () => ({ key: () => ({ startRevision: () => ({ create: () => never() }) }) }),
    lease,
  };
  return { client: client as never, grants: () => grants, puts: () => puts };
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

it.each([
  ['grant', /did not answer the grant of a lease within 10 s/],
  ['put', /did not answer the put of the entry within 10 s/],
] as const)('a %s etcd never answers is given up after ETCD_REQUEST_TIMEOUT, reported to onError and tried again', async (stall, message) => {
  const { client, grants, puts } = deadClient(stall);
  const errors: Error[] = [];
  const reg = etcdRegistration({ client, prefix: 'bound/', endpoint: '127.0.0.1:9300', backoff: { min: 100, max: 100 }, onError: (e) => errors.push(e) });
  await vi.advanceTimersByTimeAsync(ETCD_REQUEST_TIMEOUT - 100);
  expect(errors).toEqual([]);
  await vi.advanceTimersByTimeAsync(200);
  expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(message)]);
  expect(reg.registered).toBe(false);
  // Tried again after the backoff: a new grant (the one given up on is released), or the put again under the live lease.
  await vi.advanceTimersByTimeAsync(200);
  if (stall === 'grant') expect(grants()).toBe(2);
  else expect({ grants: grants(), puts: puts() }).toEqual({ grants: 1, puts: 2 });
  const stopped = reg.stop();
  await vi.advanceTimersByTimeAsync(2 * ETCD_REQUEST_TIMEOUT);
  await stopped;
  expect(await reg.ready).toBe(false);
});
