/**
 * The measuring part that bench:proxy and bench:peer share: every target of a started stack
 * in alternating rounds with the CPU of every process metered, the IdP's refresh count over
 * the run, and the machine described, before the servers are stopped.
 */
import type { DevIdpStats } from '@bff/dev-idp';
import { CpuMeter } from './cpu';
import type { ServerProcess } from './children';
import { measureRounds, type LoadSettings, type Measurement, type Target } from './load';
import { describeBaseMachine, type BaseMachine } from './machine';

/** A started stack as the measurement sees it. */
export interface MeasuredStack {
  readonly servers: readonly ServerProcess[];
  readonly targets: Target[];
  idp(): { stats(): Promise<DevIdpStats> };
  stop(): Promise<void>;
}

export interface StackMeasurement {
  results: Measurement[];
  /** Refresh-token grants at the IdP during the measured rounds (should be 0: tokens outlive the run). */
  refreshes: number;
  machine: BaseMachine;
}

export async function measureStack(
  stack: MeasuredStack,
  settings: LoadSettings,
  rounds: number,
  redisUrl: string,
  note = '',
): Promise<StackMeasurement> {
  console.log(
    `[bench] ${String(settings.connections)} connections; ${String(settings.warmupSeconds)} s warm-up, then ` +
      `${String(rounds)} × ${String(settings.durationSeconds)} s per target${note}`,
  );
  const refreshGrants = async (): Promise<number> => (await stack.idp().stats()).grants.refresh_token ?? 0;
  const refreshesBefore = await refreshGrants();
  const meter = new CpuMeter(stack.servers, redisUrl);
  const results = await measureRounds(stack.targets, settings, rounds, meter).finally(() => {
    meter.close();
  });
  const refreshes = (await refreshGrants()) - refreshesBefore;
  const machine = await describeBaseMachine(redisUrl);
  await stack.stop();
  return { results, refreshes, machine };
}
