import { listMigrations, migrate } from '../../../store/migrate.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';

/**
 * An in-memory database with only the migrations risk reads and writes (001 facts, 004, 007, 010 and 014 risk, 016 model promotions), so
 * the risk tests do not depend on other areas' schema work.
 */
export async function openRiskTestDatabase(): Promise<Database> {
  const database = await openDatabase({ path: ':memory:', migrate: false });
  const connection = await database.connect();
  await migrate(connection, listMigrations().filter((migration) => [1, 4, 7, 10, 14, 16].includes(migration.version)));
  return database;
}
