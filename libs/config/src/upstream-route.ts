import { ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** How a route's calls are authorised towards its upstream. */
export type RouteTokenPolicy = 'user' | 'optional-user' | 'none';

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

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

  /** Allowed methods; unset allows all. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(HTTP_METHODS, { each: true })
  methods?: string[];
}
