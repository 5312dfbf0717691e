import { describe, expect, it } from 'vitest';
import { checkCsvMapping } from '../../../ingest/csv/csv-mapping.ts';
import { readCsvImport } from '../../../ingest/csv/read-csv-import.ts';

const header = ['Invoice', 'Sku', 'Qty', 'When', 'Customer'];

function mappingWith(overrides: Record<string, unknown>, when: unknown = { column: 'Invoice', matches: '^C' }): Record<string, unknown> {
  return {
    format: 'retour-csv-mapping/1',
    source: 'test-backfill',
    idNamespace: 'test',
    rules: [
      { name: 'cancellation', ...(when === null ? {} : { when }), action: 'skip' },
      {
        name: 'sale',
        action: 'emit',
        groupBy: ['Invoice'],
        emit: [
          {
            type: 'order.placed',
            time: 'placedAt',
            data: {
              orderId: { template: 'o-{Invoice}' },
              customerId: { template: 'c-{Customer}' },
              placedAt: { column: 'When', as: 'timestamp', format: 'YYYY-MM-DD HH:mm' },
              currency: { const: 'GBP' },
              lines: { rows: { lineId: { column: 'Sku' }, productId: { column: 'Sku' }, category: { const: 'misc' }, quantity: { column: 'Qty', as: 'integer' }, unitPrice: { const: 100 } } },
            },
          },
        ],
      },
    ],
    ...overrides,
  };
}

describe('checkCsvMapping against the header', () => {
  it('accepts the mapping as written', () => {
    expect(() => checkCsvMapping(mappingWith({}), header)).not.toThrow();
  });

  it('names a condition column the file lacks (the rule never matched, its rows went to the next rule)', () => {
    // A misspelt "Invoice" in the cancellation rule sent every credit note to the sale rule.
    expect(() => checkCsvMapping(mappingWith({}, { column: 'InvoiceNo', matches: '^C' }), header)).toThrow(
      'mapping $.rules[0].when.column: must be one of the CSV columns Invoice, Sku, Qty, When, Customer (got "InvoiceNo")',
    );
    expect(() => checkCsvMapping(mappingWith({}, { all: [{ column: 'Invoice', matches: '^C' }, { not: { column: 'qty', missing: true } }] }), header)).toThrow(/\$\.rules\[0\]\.when\.all\[1\]\.not\.column: must be one of the CSV columns/);
  });

  it('refuses a column the header names twice, wherever the mapping reads it', () => {
    // With two "Invoice" columns the mapping read the last one and grouped the rows by its values.
    const twice = [...header, 'Invoice'];
    expect(() => checkCsvMapping(mappingWith({}, null), twice)).toThrow(
      'mapping $.rules[1].groupBy: the CSV header has 2 columns named "Invoice" (columns 1, 6): rename them in the file so the mapping can tell them apart',
    );
    expect(() => checkCsvMapping(mappingWith({}), ['Invoice', 'Sku', 'Qty', 'When', 'Customer', 'Sku'])).toThrow(/\$\.rules\[1\]\.emit\[0\]\.data\.lines\.rows\.lineId\.column: the CSV header has 2 columns named "Sku" \(columns 2, 6\)/);
    expect(() => checkCsvMapping(mappingWith({}), ['Invoice', 'Sku', 'Qty', 'When', 'Customer', 'Customer'])).toThrow(/\$\.rules\[1\]\.emit\[0\]\.data\.customerId\.template: the CSV header has 2 columns named "Customer"/);
    // A repeated column the mapping does not read is no problem.
    expect(() => checkCsvMapping(mappingWith({}), [...header, 'Notes', 'Notes'])).not.toThrow();
  });

  it('names a misspelt key instead of ignoring it (its default applied silently)', () => {
    expect(() => checkCsvMapping(mappingWith({ delimeter: ';' }), header)).toThrow(/^mapping \$\.delimeter: is not a key of the mapping format here; known: format, description, source, idNamespace, delimiter, /);
    const misspelt = mappingWith({});
    const sale = (misspelt['rules'] as { emit: { data: Record<string, unknown> }[] }[])[1]!;
    sale.emit[0]!.data['customerId'] = { template: 'c-{Customer}', ifmissing: { const: 'guest' } };
    expect(() => checkCsvMapping(misspelt, header)).toThrow(/^mapping \$\.rules\[1\]\.emit\[0\]\.data\.customerId\.ifmissing: is not a key/);
    expect(() => checkCsvMapping(mappingWith({}, { column: 'Invoice', match: '^C' }), header)).toThrow(/^mapping \$\.rules\[0\]\.when\.match: is not a key/);
    expect(() => checkCsvMapping({ ...mappingWith({}), rules: [{ name: 'x', action: 'skip', group_by: ['Invoice'] }] }, header)).toThrow(/^mapping \$\.rules\[0\]\.group_by: is not a key/);
  });

  it('checks the shapes a typo could turn into silent misreadings', () => {
    // "NA" as a text was read letter by letter: "N" and "A" were missing values, "NA" was not.
    expect(() => checkCsvMapping(mappingWith({ missingValues: 'NA' }), header)).toThrow('mapping $.missingValues: must be a list of texts, e.g. ["", "NA"] (got "NA")');
    expect(() => checkCsvMapping(mappingWith({}, { column: 'Invoice', in: 'C1' }), header)).toThrow('mapping $.rules[0].when.in: must be a list of texts (got "C1")');
    expect(() => checkCsvMapping(mappingWith({}, { column: 'Customer', missing: 'yes' }), header)).toThrow('mapping $.rules[0].when.missing: must be true or false (got "yes")');
    for (const delimiter of ['', ';;', '"', '\n', 59]) {
      expect(() => checkCsvMapping(mappingWith({ delimiter }), header)).toThrow(/^mapping \$\.delimiter: must be one character other than a quote or a line break/);
    }
    expect(checkCsvMapping(mappingWith({ delimiter: '\t' }), header).delimiter).toBe('\t');
  });
});

describe('readCsvImport with a bad delimiter', () => {
  it('is a usage error naming $.delimiter, not an unexpected RangeError from the parser', () => {
    const mappingText = JSON.stringify(mappingWith({ delimiter: ';;' }));
    expect(() => readCsvImport({ csvText: `${header.join(',')}\n1,A,1,2011-06-01 12:00,17\n`, mappingText, topic: 'import:test.csv' })).toThrow(
      expect.objectContaining({ code: 'RETOUR_USAGE', message: expect.stringMatching(/^mapping \$\.delimiter: /) }),
    );
  });
});

describe('readCsvImport of the file bytes', () => {
  // "CAFÉ" and "CAFÈ" in Windows-1252: read as UTF-8 both became "CAF\uFFFD", one product.
  const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (character) => character.charCodeAt(0));
  const rows = `${header.join(',')}\n1,CAFÉ,1,2011-06-01 12:00,17\n2,CAFÈ,1,2011-06-01 12:00,17\n`;
  const productIds = (imported: ReturnType<typeof readCsvImport>): string[] =>
    imported.messages.map((message) => (JSON.parse(String(message.value)) as { data: { lines: { productId: string }[] } }).data.lines[0]!.productId);

  it('refuses bytes that are not UTF-8, naming the line and the way out, rather than replacing them', () => {
    expect(() => readCsvImport({ csvBytes: latin1(rows), mappingText: JSON.stringify(mappingWith({})), topic: 'import:test.csv' })).toThrow(
      expect.objectContaining({
        code: 'RETOUR_USAGE',
        message: 'the CSV file is not valid utf-8 (line 2): save it as UTF-8, or name its encoding in the mapping, e.g. "encoding": "windows-1252"',
      }),
    );
  });

  it('reads the encoding the mapping names, and UTF-8 with or without a BOM', () => {
    const windows1252 = readCsvImport({ csvBytes: latin1(rows), mappingText: JSON.stringify(mappingWith({ encoding: 'windows-1252' })), topic: 'import:test.csv' });
    expect(productIds(windows1252)).toEqual(['CAFÉ', 'CAFÈ']);
    const utf8 = readCsvImport({ csvBytes: new TextEncoder().encode(`\uFEFF${rows}`), mappingText: JSON.stringify(mappingWith({})), topic: 'import:test.csv' });
    expect(productIds(utf8)).toEqual(['CAFÉ', 'CAFÈ']);
    expect(() => checkCsvMapping(mappingWith({ encoding: 'klingon' }), header)).toThrow('mapping $.encoding: must be a text encoding such as utf-8, windows-1252 or iso-8859-15 (got "klingon")');
  });
});

describe('map on a column spec', () => {
  it("translates the export's words to the contract's; a word it does not list passes unchanged for validation to name", () => {
    // An export says "too small", the contract fit.too_small: without a translation every return was quarantined.
    const mapping = mappingWith({});
    const sale = (mapping['rules'] as { emit: { data: { lines: { rows: Record<string, unknown> } } }[] }[])[1]!;
    sale.emit[0]!.data.lines.rows['productId'] = { column: 'Sku', map: { 'mug, large': 'prd_mug_l', A: 'prd_a' } };
    const csvText = `${header.join(',')}\n1,"mug, large",1,2011-06-01 12:00,17\n2,A,1,2011-06-01 12:00,17\n3,B,1,2011-06-01 12:00,17\n`;
    const imported = readCsvImport({ csvText, mappingText: JSON.stringify(mapping), topic: 'import:test.csv' });
    const productIds = imported.messages.map((message) => (JSON.parse(String(message.value)) as { data: { lines: { productId: string }[] } }).data.lines[0]!.productId);
    expect(productIds).toEqual(['prd_mug_l', 'prd_a', 'B']);
  });

  it('must be an object of texts on a column spec', () => {
    const withMap = (spec: unknown): Record<string, unknown> => {
      const mapping = mappingWith({});
      (mapping['rules'] as { emit: { data: Record<string, unknown> }[] }[])[1]!.emit[0]!.data['customerId'] = spec;
      return mapping;
    };
    expect(() => checkCsvMapping(withMap({ column: 'Customer', map: { '17': 1 } }), header)).toThrow(/^mapping \$\.rules\[1\]\.emit\[0\]\.data\.customerId\.map: must be an object of cell text → text/);
    expect(() => checkCsvMapping(withMap({ template: 'c-{Customer}', map: {} }), header)).toThrow(/^mapping \$\.rules\[1\]\.emit\[0\]\.data\.customerId\.map: goes with "column"/);
  });
});
