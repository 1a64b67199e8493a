/**
 * Polls a condition that the code under test makes true asynchronously. No deadline of its
 * own: jest's test timeout bounds it, so no wall-clock threshold sits in a test.
 */
export async function waitFor(condition: () => boolean, pollMs = 10): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
