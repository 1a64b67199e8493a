import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** The shared store. Unset REDIS_URL selects the in-memory store (one dev instance only). */
export class RedisConfig {
  @EnvVar('REDIS_URL', {
    doc: '`redis://` or `rediss://` URL of Redis (credentials and db included). Unset: in-memory sessions and pub/sub, one instance only.',
    secret: true,
  })
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'must start with redis:// or rediss://' })
  url?: string;

  @EnvVar('REDIS_MODE', {
    doc: '`standalone`, `sentinel` (with REDIS_SENTINELS) or `cluster` (REDIS_URL is a seed node).',
    default: 'standalone',
  })
  @IsIn(['standalone', 'sentinel', 'cluster'])
  mode: 'standalone' | 'sentinel' | 'cluster' = 'standalone';

  @EnvVar('REDIS_SENTINELS', { kind: 'list', doc: 'Sentinel mode: comma-separated `host:port` of the sentinels.' })
  @Matches(/^[^:\s]+:\d+$/, { each: true, message: 'each entry must be host:port' })
  sentinels: string[] = [];

  @EnvVar('REDIS_SENTINEL_NAME', { doc: 'Sentinel mode: name of the monitored master.', default: 'mymaster' })
  @IsString()
  sentinelName = 'mymaster';

  @EnvVar('REDIS_CLUSTER_NODES', { kind: 'list', doc: 'Cluster mode: extra comma-separated `host:port` seed nodes.' })
  @Matches(/^[^:\s]+:\d+$/, { each: true, message: 'each entry must be host:port' })
  clusterNodes: string[] = [];

  @EnvVar('REDIS_COMMAND_TIMEOUT_MS', {
    kind: 'int',
    doc: 'A Redis command not answered in this time fails the request with 503 instead of hanging it.',
    default: '2000',
  })
  @IsInt()
  @Min(50)
  @Max(60000)
  commandTimeoutMs = 2000;

  @EnvVar('REDIS_CONNECT_TIMEOUT_MS', { kind: 'int', doc: 'Timeout of one connection attempt.', default: '5000' })
  @IsInt()
  @Min(100)
  @Max(60000)
  connectTimeoutMs = 5000;
}
