/**
 * The request bench:proxy and bench:peer measure: a GET of exactly 1 KiB of JSON from the same
 * upstream, through every proxy under the same `/api/<route>` prefix.
 */

/** The upstream's answer: exactly 1 KiB of JSON, so every target moves the same bytes. */
export const JSON_1K = JSON.stringify({ data: 'x'.repeat(1024 - '{"data":""}'.length) });
export const JSON_1K_PATH = '/json-1k';
/**
 * The upstream answers this path with the `authorization` and `cookie` headers it received, as
 * JSON (`{ "authorization": string | null, "cookie": string | null }`): checked once per proxy
 * before measuring, never under load.
 */
export const HEADERS_PATH = '/received-headers';
/** The BFF route name, and so the `/api/<name>` prefix every proxy target serves. */
export const ROUTE = 'bench';
/** The same upstream behind a `client` route (the BFF's own token) and an `exchange` route (bench:proxy only). */
export const CLIENT_ROUTE = 'bench-client';
export const EXCHANGE_ROUTE = 'bench-exchange';
