import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { ResponseReader } from '../transports/http-judge.js';

/** What both undici transports read from a response: its status and headers. */
export interface ResponseHead {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** How the shared HTTP judge reads an undici response head. */
export const UNDICI_READER: ResponseReader<ResponseHead> = {
  status: (value) => value.statusCode,
  retryAfter: (value) => {
    const headers = value.headers as ResponseHead['headers'] | readonly unknown[];
    // `responseHeaders: 'raw'` gives them as a flat array: [name, value, name, value, …].
    // A header sent twice is read as fetch's Headers read it, joined (`2, 2`): retryAfterMs takes
    // such a list only when its values agree, so both transports judge one response alike.
    if (Array.isArray(headers)) {
      const values: string[] = [];
      for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'retry-after') values.push(String(headers[i + 1]));
      return values.length === 0 ? null : values.join(', ');
    }
    const header = (headers as ResponseHead['headers'])['retry-after'];
    return (Array.isArray(header) ? header.join(', ') : header) ?? null;
  },
};

/** `http://host:port` of an endpoint (its URL without the base path): the origin a pool connects to. */
export function originOf(endpoint: LiveEndpoint): string {
  return endpoint.basePath === '' ? endpoint.url : endpoint.url.slice(0, endpoint.url.length - endpoint.basePath.length);
}
