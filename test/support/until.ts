/**
 * Waits, in real time, for in-memory state that timers or other connections change (an election
 * loop, a scheduler's events); fails with `what` after `ms`. Returns how long it waited.
 */
export async function until(what: string, condition: () => boolean, ms = 5_000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
