// bulwark/undici: bulwark's pipeline over undici (an optional peer dependency, undici 8).
// docs/architecture.md, "Transports": the request transport (createUndiciClient) and the interceptor.
export { createUndiciClient, UndiciClient } from './undici-client.js';
export type { UndiciClientOptions, UndiciRequestOptions, UndiciResponse } from './undici-client.js';
export type { UndiciDispatchOptions } from './request-transport.js';
export { bulwarkInterceptor } from './interceptor.js';
export type { InterceptorOptions } from './interceptor.js';
