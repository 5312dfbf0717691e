/**
 * DuckDB rolls a transaction back whole when another connection committed a write to the same row
 * first ("TransactionContext Error: Conflict on update!"). Ingest, the API and the risk job all write
 * `risk_flags` (a review decision closes a flag), so a writer that can meet another retries: nothing
 * of the rolled-back attempt remains, and the next attempt reads the state the other writer left.
 */

/** Attempts before giving up: pauses of 25 ms doubling up to 1 s, ≈ 4.6 s in all — far longer than the other writers' transactions. */
const WRITE_CONFLICT_ATTEMPTS = 10;

/** Runs `write` (one whole transaction, reading what it decides on inside it) again after a pause when it failed on a write-write conflict. */
export async function retryWriteConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error: unknown) {
      if (attempt >= WRITE_CONFLICT_ATTEMPTS || !isWriteConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** (attempt - 1))));
    }
  }
}

/** DuckDB's "TransactionContext Error: Conflict on update!" (or delete/append), anywhere in the cause chain. */
export function isWriteConflict(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (/Conflict on (update|delete|tuple)|write-write conflict/i.test(current.message)) return true;
  }
  return false;
}
