/**
 * bench:proxy's server roles and their arguments (the messages themselves are in
 * common/child-protocol.ts). bench:peer starts the same upstream, bare proxy, BFF and IdP;
 * bench:proxy also starts bench:peer's peer, as a target of the headline row.
 */
import { join } from 'node:path';
import type { BenchIdpArgs } from '../common/idp-server';
import { childArgs } from '../common/serve';

/** Per-role arguments, JSON in argv[2] (the BFF takes its environment instead, as main.ts does). */
export interface RoleArgs {
  upstream: Record<string, never>;
  bare: { upstream: string };
  'bare-undici': { upstream: string };
  idp: BenchIdpArgs;
  bff: BffRoleArgs;
  collector: Record<string, never>;
}

/**
 * How a BFF process logs. `defaults`: as `npm start` runs it (BFF_LOG_LEVEL's default `info`,
 * the access log on) to stdout, which the parent drains; `errors`: errors only, the tuned rows.
 */
export interface BffRoleArgs {
  logs: 'defaults' | 'errors';
  /**
   * With tracing on, every span is dropped as it ends instead of being queued for export
   * (bench:instructions' `tracing-dropped` row): what the SDK's spans cost with no serializer
   * and no export traffic at all. A bench-only patch; the BFF has no such setting.
   */
  dropSpans?: boolean;
}

export type Role = keyof RoleArgs;

/** The IdP's access-token lifetime: long enough that no token is refreshed during a run (the BFF's skew is 60 s). */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** In a server process: the role's JSON arguments, passed by the parent. */
export function roleArgs<R extends Role>(_role: R): RoleArgs[R] {
  return childArgs() as RoleArgs[R];
}

/** The compiled entry file of a role's process. */
export function serverScript(role: Role): string {
  return join(__dirname, 'servers', `${role}.js`);
}
