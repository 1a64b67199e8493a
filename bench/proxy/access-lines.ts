/**
 * The check that a BFF at production defaults writes what `npm start` writes: one access line per
 * request, on the stdout pipe the benchmark drains (common/children.ts).
 */
import type { ServerProcess } from '../common/children';
import type { Target } from '../common/load';

const WAIT_MS = 2_000;
/** Enough for lines already written (pino writes asynchronously) to come through the pipe. */
const SETTLE_MS = 300;
const REQUESTS = 10;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Lines of earlier requests (the target's check) are let through first, then ten requests must
 * give exactly ten `request completed` lines, the last one naming the last request's id. Nothing
 * else sends the BFF requests meanwhile.
 */
export async function verifyAccessLines(server: ServerProcess, target: Target): Promise<void> {
  await delay(SETTLE_MS);
  const before = server.output().lines;
  let id = '';
  for (let i = 0; i < REQUESTS; i += 1) {
    const response = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(WAIT_MS) });
    await response.arrayBuffer();
    id = response.headers.get('x-request-id') ?? '';
  }
  const deadline = Date.now() + WAIT_MS;
  while (!server.output().lastLine.includes(id) && Date.now() < deadline) await delay(10);
  await delay(SETTLE_MS);
  const { lines, lastLine } = server.output();
  const written = lines - before;
  if (written !== REQUESTS || !lastLine.includes('"msg":"request completed"') || !lastLine.includes(id)) {
    throw new Error(
      `${server.name}: expected ${String(REQUESTS)} access lines for as many requests, got ${String(written)}; ` +
        `the last: ${lastLine}`,
    );
  }
}
