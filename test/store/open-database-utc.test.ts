import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/open-database.ts';

const serverZone = process.env['TZ'];

describe('openDatabase computes in UTC whatever the server\'s time zone', () => {
  afterEach(() => {
    if (serverZone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = serverZone;
  });

  it('adds days across a daylight-saving change and truncates to days in UTC on a server in Chile', async () => {
    // Chile left summer time on 2025-04-06: "14 days after" a refund came out an hour later there
    // (observed_at of refund_without_receipt differed between servers), and a late-evening UTC time
    // fell on the previous day.
    process.env['TZ'] = 'America/Santiago';
    const database = await openDatabase({ path: ':memory:', migrate: false });
    try {
      const connection = await database.connect();
      const row = (await connection.runAndReadAll(
        `SELECT current_setting('TimeZone'),
           strftime(('2025-03-25T04:21:47Z'::TIMESTAMPTZ + INTERVAL 14 DAY) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S'),
           ('2025-03-02T01:30:00Z'::TIMESTAMPTZ)::DATE::VARCHAR`,
      )).getRows()[0]!;
      expect(row).toEqual(['UTC', '2025-04-08T04:21:47', '2025-03-02']);
    } finally {
      database.close();
    }
  });
});
