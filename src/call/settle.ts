import type { CallContext } from './context.js';

/** The call a promise is being created for: the executor below runs synchronously inside `new Promise`. */
let settling: CallContext<never> | undefined;

function takeResolvers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  settling!.settleWith(resolve, reject);
}

/** The caller's promise for `ctx`, without a closure per call. */
export function settlementOf<T>(ctx: CallContext<T>): Promise<T> {
  settling = ctx as unknown as CallContext<never>;
  const promise = new Promise<T>(takeResolvers);
  settling = undefined;
  return promise;
}
