/** What a benchmark's servers offer its runner: a clean stop, and a kill when that cannot wait. */
export interface StoppableServers {
  stop(): Promise<void>;
  kill(): void;
}

/**
 * Runs a benchmark so that, whatever happens, the run ends: a watchdog kills every server
 * once `boundSeconds` have passed, and a failure stops them before the process exits non-zero.
 */
export function runBench(main: () => Promise<void>, servers: StoppableServers, boundSeconds: number): void {
  const watchdog = setTimeout(() => {
    console.error('[bench] took too long; killing the servers');
    servers.kill();
    process.exit(2);
  }, boundSeconds * 1000);
  watchdog.unref();
  main()
    .catch(async (error: unknown) => {
      console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
      await servers.stop().catch(() => {
        servers.kill();
      });
    })
    .finally(() => {
      clearTimeout(watchdog);
    });
}
