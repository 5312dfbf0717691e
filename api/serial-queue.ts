/**
 * Runs async tasks one at a time. The API's writes share one DuckDB connection, and a transaction
 * spanning several awaits must not interleave with another request's BEGIN.
 */
export type SerialQueue = <T>(task: () => Promise<T>) => Promise<T>;

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    // The queue continues after a failed task; the failure still reaches its caller.
    tail = run.catch(() => undefined);
    return run;
  };
}
