/** What bench:proxy's figures were measured on, for RESULTS.md. */
import { describeBaseMachine, packageVersion, type BaseMachine } from '../common/machine';

export { repoRoot } from '../common/machine';

export interface Machine extends BaseMachine {
  autocannon: string;
}

export async function describeMachine(redisUrl: string): Promise<Machine> {
  return { ...(await describeBaseMachine(redisUrl)), autocannon: packageVersion('autocannon') };
}
