import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../ingest/csv/parse-csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with delimiters, doubled quotes, line breaks and CRLF', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",3\n"multi\nline",,NA\n\n';
    expect([...parseCsv(text)]).toEqual([
      { line: 1, fields: ['a', 'b', 'c'], text: 'a,b,c' },
      { line: 2, fields: ['x, y', 'say "hi"', '3'], text: '"x, y","say ""hi""",3' },
      { line: 3, fields: ['multi\nline', '', 'NA'], text: '"multi\nline",,NA' },
    ]);
  });

  it('gives each record its text as written: a ragged one, a lone CR, the last one without a line break', () => {
    expect([...parseCsv('a;b\n1;2;3\r4\n', ';')].map(({ line, text }) => [line, text])).toEqual([
      [1, 'a;b'],
      [2, '1;2;3'],
      [3, '4'],
    ]);
    expect([...parseCsv('a,b\n"x",y')].map(({ text }) => text)).toEqual(['a,b', '"x",y']);
  });

  it('names the line of an unclosed quote', () => {
    expect(() => [...parseCsv('a\n"open')]).toThrow(/CSV line 2: a quoted field is never closed/);
  });
});
