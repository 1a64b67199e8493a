import { Type } from 'class-transformer';
import { IsArray, IsInt, Max, Min, ValidateNested } from 'class-validator';
import { EnvVar } from './env-var.decorator';
import { UpstreamRoute } from './upstream-route';

/** The downstream APIs and limits of the `/api` reverse proxy. */
export class ProxyConfig {
  @EnvVar('BFF_ROUTES', {
    kind: 'json',
    doc: 'JSON array of routes `{ "name", "upstream", "token", "audience", "resource", "scope", "timeoutMs", "methods", "acr" }`; `/api/<name>/…` is proxied to `upstream`. `token`: `user` (default), `optional-user`, `none`, `client` (the BFF\'s client-credentials token), `user-or-client`, `exchange` (the user token exchanged for `audience`/`resource`, RFC 8693). `methods` unset allows GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS; TRACE, TRACK and CONNECT are never forwarded. `acr` (step-up, with `user` or `exchange`): the `acr` values a session must have, else 401 `step_up_required` with a `loginUrl`.',
    default: '[]',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => UpstreamRoute)
  routes: UpstreamRoute[] = [];

  @EnvVar('BFF_PROXY_BODY_LIMIT', {
    kind: 'int',
    doc: 'Largest request body, in bytes, the proxy forwards (larger → 413).',
    default: '10485760',
  })
  @IsInt()
  @Min(0)
  @Max(1024 * 1024 * 1024)
  bodyLimitBytes = 10 * 1024 * 1024;
}
