/**
 * RFC 4180 CSV: fields separated by a delimiter, optionally quoted with `"` (a quote inside a quoted
 * field is doubled), records separated by LF or CRLF; quoted fields may span lines.
 * Yields each record with the line number it starts on (1 = the first line of the text) and its
 * text as written (quotes kept, without the line break), for error reports.
 *
 * @example
 * [...parseCsv('a,b\n"x, y",2\n')]; // [{ line: 1, fields: ['a','b'], text: 'a,b' }, { line: 2, fields: ['x, y','2'], text: '"x, y",2' }]
 */
export function* parseCsv(text: string, delimiter = ','): Generator<{ line: number; fields: string[]; text: string }> {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  let position = 0;
  let line = 1;
  const length = text.length;
  while (position < length) {
    const startLine = line;
    const start = position;
    let recordEnd = position;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[position] === '"') {
        position++;
        for (;;) {
          const quote = text.indexOf('"', position);
          if (quote === -1) throw new SyntaxError(`CSV line ${startLine}: a quoted field is never closed`);
          const chunk = text.slice(position, quote);
          for (let index = chunk.indexOf('\n'); index !== -1; index = chunk.indexOf('\n', index + 1)) line++;
          field += chunk;
          position = quote + 1;
          if (text[position] === '"') {
            field += '"';
            position++;
          } else break;
        }
      } else {
        let end = position;
        while (end < length && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++;
        field = text.slice(position, end);
        position = end;
      }
      fields.push(field);
      const next = text[position];
      if (next === delimiter) {
        position++;
        continue;
      }
      recordEnd = position;
      if (next === '\r' && text[position + 1] === '\n') position += 2;
      else if (next === '\n' || next === '\r') position++;
      else if (next !== undefined) throw new SyntaxError(`CSV line ${line}: unexpected ${JSON.stringify(next)} after a quoted field`);
      line++;
      break;
    }
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) yield { line: startLine, fields, text: text.slice(start, recordEnd) };
  }
}
