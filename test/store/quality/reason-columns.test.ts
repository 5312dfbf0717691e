import { describe, expect, it } from 'vitest';
import { RETURN_REASON_CODES } from '../../../domain/events/vocabulary.ts';
import { REASON_COLUMNS } from '../../../store/quality/reason-columns.ts';
import { openQualityTestDatabase } from '../../jobs/quality/quality-fixtures.ts';

describe('REASON_COLUMNS', () => {
  it('has one window and one detection column per reason of the vocabulary, all declared by migration 003', async () => {
    expect(REASON_COLUMNS.map((column) => column.reason)).toEqual(RETURN_REASON_CODES);
    const { database, connection } = await openQualityTestDatabase();
    try {
      const columnsOf = async (table: string): Promise<string[]> =>
        (await connection.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' AND column_name LIKE 'reason\\_%' ESCAPE '\\' ORDER BY ordinal_position`))
          .getRows()
          .map((row) => String(row[0]));
      expect(await columnsOf('quality_cohort_base')).toEqual([...REASON_COLUMNS.map((column) => column.window), ...REASON_COLUMNS.map((column) => column.detection)]);
      expect(await columnsOf('quality_weekly_counts')).toEqual(REASON_COLUMNS.map((column) => column.window));
      expect(await columnsOf('quality_daily_counts')).toEqual(REASON_COLUMNS.map((column) => column.window));
    } finally {
      database.close();
    }
  });
});
