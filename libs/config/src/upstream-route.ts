import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

/**
 * How a route's calls are authorised towards its upstream:
 * - `user`: a session is required, its user's access token is sent;
 * - `optional-user`: the user's token when a session is open, none otherwise;
 * - `none`: no token ever;
 * - `client`: the BFF's own token (client credentials), no session needed;
 * - `user-or-client`: the user's token with a session, the client token without;
 * - `exchange`: the user's token exchanged (RFC 8693) for the route's audience.
 */
export type RouteTokenPolicy = 'user' | 'optional-user' | 'none' | 'client' | 'user-or-client' | 'exchange';

/** Every {@link RouteTokenPolicy}, for validation. */
export const ROUTE_TOKEN_POLICIES: readonly RouteTokenPolicy[] = [
  'user',
  'optional-user',
  'none',
  'client',
  'user-or-client',
  'exchange',
];

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

  /** Which token the upstream gets (see {@link RouteTokenPolicy}). */
  @IsIn(ROUTE_TOKEN_POLICIES)
  token: RouteTokenPolicy = 'user';

  /** The audience to ask the IdP for (`audience` parameter of token exchange and client credentials). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  audience?: string;

  /** RFC 8707 resource indicator for this route's token (an absolute URI). */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  resource?: string;

  /** Space-separated scopes to ask for this route's token. */
  @IsOptional()
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, {
    message: 'must be space-separated OAuth scope tokens',
  })
  scope?: string;

  /** Time allowed until the upstream's response headers arrive. */
  @IsInt()
  @Min(100)
  @Max(600000)
  timeoutMs = 30000;

  /**
   * Step-up: the `acr` values (any one) a session must have been authenticated with to call this
   * route; otherwise 401 `step_up_required` with a `loginUrl` asking for them (`acr_values`). Only
   * with token `user` or `exchange`; unset: any session will do.
   */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @Matches(/^[\x21-\x7e]+$/, { each: true, message: 'each acr value must be printable ASCII without spaces' })
  acr?: string[];

  /** Allowed methods, a subset of {@link API_METHODS}; unset allows all of those. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(API_METHODS, { each: true })
  methods?: string[];
}
