import { ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** How a route's calls are authorised towards its upstream. */
export type RouteTokenPolicy = 'user' | 'optional-user' | 'none';

/**
 * The methods an API route may forward, and all a route without a `methods`
 * list allows. TRACE, TRACK and CONNECT are never forwarded: TRACE would echo
 * the injected token back to the page, CONNECT would open a tunnel.
 */
export const API_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * One downstream API, reachable as `/api/<name>/<path>`. Only configured routes
 * are proxied: the BFF is never an open proxy.
 */
export class UpstreamRoute {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
    message: 'must be 1-63 of a-z, 0-9, - and _, starting with a letter or digit',
  })
  name = '';

  /** Base URL; the path after `/api/<name>` is appended to its path. */
  @IsString()
  upstream = '';

  /** `user`: a session is required and its access token sent; `optional-user`: sent when there is one; `none`: never. */
  @IsIn(['user', 'optional-user', 'none'])
  token: RouteTokenPolicy = 'user';

  /** Time allowed until the upstream's response headers arrive. */
  @IsInt()
  @Min(100)
  @Max(600000)
  timeoutMs = 30000;

  /** Allowed methods, a subset of {@link API_METHODS}; unset allows all of those. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(API_METHODS, { each: true })
  methods?: string[];
}
