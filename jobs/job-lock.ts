/**
 * In-process locks by name: jobs sharing a lock (`Job.lock`) run one after the other, never at once,
 * each waiting its turn in the order it asked. The risk job and the train job share one because both
 * rewrite the ring tables (computeRings): two transactions deleting the same rows conflict in DuckDB.
 */
const tails = new Map<string, Promise<void>>();

/**
 * Runs `work` once every earlier holder of `name` has finished; `undefined` = no lock.
 * @example
 * await withJobLock('risk', () => computeRings(connection, { asOf }));
 */
export async function withJobLock<T>(name: string | undefined, work: () => Promise<T>): Promise<T> {
  if (name === undefined) return work();
  const previous = tails.get(name) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  tails.set(name, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    // The last holder leaves no entry behind.
    if (tails.get(name) === tail) tails.delete(name);
  }
}
