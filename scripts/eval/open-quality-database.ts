import { listMigrations, migrate } from '../../store/migrate.ts';
import { openDatabase, type Database } from '../../store/open-database.ts';

/**
 * A database with the migrations the quality job and the ingest path need (001–004, 008, 013), so quality
 * evaluations and benchmarks run whatever state later migrations of other areas are in. 004 holds
 * risk_flags, which ingest updates when a batch stores review decisions (risk.decision events).
 */
export async function openQualityDatabase(path: string, settings: Record<string, string> = {}): Promise<Database> {
  const database = await openDatabase({ path, migrate: false, settings });
  const connection = await database.connect();
  await migrate(connection, listMigrations().filter((migration) => migration.version <= 4 || migration.version === 8 || migration.version === 13));
  return database;
}
