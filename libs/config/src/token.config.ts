import { IsInt, Max, Min } from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** When access tokens are refreshed and how the cross-instance refresh lock behaves. */
export class TokenConfig {
  @EnvVar('TOKEN_REFRESH_SKEW_SECONDS', {
    kind: 'int',
    doc: 'Refresh when less than this (or half the token lifetime, if shorter) remains before the access token expires.',
    default: '60',
  })
  @IsInt()
  @Min(0)
  @Max(3600)
  refreshSkewSeconds = 60;

  @EnvVar('TOKEN_REFRESH_LOCK_LEASE_MS', {
    kind: 'int',
    doc: 'Lease of the per-session refresh lock; a holder that dies frees it after this. Must exceed OIDC_HTTP_TIMEOUT_MS.',
    default: '10000',
  })
  @IsInt()
  @Min(500)
  @Max(120000)
  lockLeaseMs = 10000;

  @EnvVar('TOKEN_REFRESH_LOCK_WAIT_MS', {
    kind: 'int',
    doc: 'How long a request waits for another instance’s refresh before answering 503.',
    default: '8000',
  })
  @IsInt()
  @Min(100)
  @Max(120000)
  lockWaitMs = 8000;
}
