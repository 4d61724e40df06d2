// Answers are computed synchronously on SQLite (better-sqlite3), tens of milliseconds each; their
// entry points return Promises (issue 19) but a SQLite read resolves at once. Run back to back,
// they would hold the event loop while other `/kpi` requests wait to be acknowledged, and Slack
// gives up after 3 s. So computations take turns, and before each turn the loop gets one pass to
// read and acknowledge the requests that arrived meanwhile (setImmediate runs after I/O polling).
// A turn lasts until its work's Promise settles, so answers never interleave on the one store.
// https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick

export type Compute = <T>(work: () => T | Promise<T>) => Promise<T>;

export function computeQueue(): Compute {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => T | Promise<T>): Promise<T> => {
    const turn = tail.then(
      () =>
        new Promise<T>((resolve, reject) => {
          setImmediate(() => {
            try {
              resolve(work());
            } catch (error) {
              reject(error as Error);
            }
          });
        }),
    );
    // A failed computation must not stop the ones queued after it.
    tail = turn.catch(() => undefined);
    return turn;
  };
}
