import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../ingest/csv/parse-csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with delimiters, doubled quotes, line breaks and CRLF', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",3\n"multi\nline",,NA\n\n';
    expect([...parseCsv(text)]).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', '3'] },
      { line: 3, fields: ['multi\nline', '', 'NA'] },
    ]);
  });

  it('names the line of an unclosed quote', () => {
    expect(() => [...parseCsv('a\n"open')]).toThrow(/CSV line 2: a quoted field is never closed/);
  });
});
