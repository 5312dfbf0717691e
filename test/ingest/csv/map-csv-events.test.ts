import { describe, expect, it } from 'vitest';
import { checkCsvMapping } from '../../../ingest/csv/csv-mapping.ts';
import { mapCsvEvents } from '../../../ingest/csv/map-csv-events.ts';
import { decodeEvent } from '../../../domain/events/decode-event.ts';

const header = ['Invoice', 'Sku', 'Qty', 'When', 'Price', 'Customer'];
const mapping = checkCsvMapping(
  {
    format: 'retour-csv-mapping/1',
    source: 'test-backfill',
    idNamespace: 'test',
    timeZone: 'Europe/London',
    rules: [
      { name: 'write-off', when: { all: [{ column: 'Invoice', notMatches: '^C' }, { column: 'Qty', matches: '^-' }] }, action: 'skip' },
      {
        name: 'return',
        when: { column: 'Invoice', matches: '^C' },
        action: 'emit',
        groupBy: ['Invoice'],
        emit: [
          {
            type: 'refund.issued',
            time: 'issuedAt',
            data: {
              refundId: { template: 'r-{Invoice}' },
              orderId: { template: 'o-{Invoice}' },
              customerId: { template: 'c-{Customer}' },
              issuedAt: { column: 'When', as: 'timestamp', format: 'D/M/YYYY H:mm' },
              amount: { sumOfProducts: [{ column: 'Qty', as: 'integer', abs: true }, { column: 'Price', as: 'money', decimals: 2 }] },
              currency: { const: 'GBP' },
              method: { const: 'original_payment' },
            },
          },
        ],
      },
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
              customerId: { template: 'c-{Customer}', ifMissing: { template: 'guest-{Invoice}' } },
              placedAt: { column: 'When', as: 'timestamp', format: 'D/M/YYYY H:mm' },
              currency: { const: 'GBP' },
              lines: { uniqueKey: 'lineId', rows: { lineId: { column: 'Sku' }, productId: { column: 'Sku' }, category: { const: 'misc' }, quantity: { column: 'Qty', as: 'integer' }, unitPrice: { column: 'Price', as: 'money', decimals: 2 } } },
            },
          },
        ],
      },
    ],
  },
  header,
);

const record = (line: number, ...fields: string[]) => ({ line, fields });

describe('mapCsvEvents', () => {
  const rows = [
    record(2, '100', 'A', '2', '1/6/2011 12:00', '2.95', '17'),
    record(3, 'C7', 'A', '-3', '2/6/2011 9:05', '1.10', '17'),
    record(4, '100', 'A', '1', '1/6/2011 12:00', '0.5', '17'),
    record(5, '101', 'B', '-4', '1/6/2011 12:00', '0', 'NA'),
    record(6, '102', 'B', 'two', '1/6/2011 12:00', '1', 'NA'),
  ];

  it('groups rows into events with converted values, unique line ids and a placeholder customer', () => {
    const result = mapCsvEvents(mapping, header, rows);
    expect(result).toMatchObject({ rows: 5, skippedRows: { 'write-off': 1 }, unmatchedRows: 0 });
    const events = result.events.map((event) => JSON.parse(event.text));
    expect(events.map((event) => event.type)).toEqual(['order.placed', 'refund.issued', 'order.placed']);
    expect(events[0]).toMatchObject({
      source: 'test-backfill',
      time: '2011-06-01T11:00:00Z',
      data: {
        orderId: 'o-100',
        customerId: 'c-17',
        lines: [
          { lineId: 'A', quantity: 2, unitPrice: 295 },
          { lineId: 'A#2', quantity: 1, unitPrice: 50 },
        ],
      },
    });
    expect(events[1].data).toMatchObject({ amount: 330, issuedAt: '2011-06-02T08:05:00Z' });
    expect(events[2].data.customerId).toBe('guest-102');
    expect(result.events.map((event) => event.line)).toEqual([2, 3, 6]);
  });

  it('gives the same ids on every run, and leaves unconvertible cells for validation to quarantine', () => {
    const first = mapCsvEvents(mapping, header, rows).events.map((event) => JSON.parse(event.text).id);
    const second = mapCsvEvents(mapping, header, rows).events.map((event) => JSON.parse(event.text).id);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(3);
    const bad = mapCsvEvents(mapping, header, rows).events[2]!;
    const decoded = decodeEvent(bad.text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.rejection).toMatchObject({ code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$.data.lines[0].quantity' });
  });

  it('never maps a row with another number of fields than the header: its group is rejected with the row text, other groups are not', () => {
    const result = mapCsvEvents(mapping, header, [
      record(2, '100', 'A', '2', '1/6/2011 12:00', '2.95', '17'),
      // An unquoted comma in the product split one field in two: Price would read "Box" and Customer "2.95".
      { line: 3, fields: ['100', 'B', '1', '1/6/2011 12:00', 'Box', '2.95', '17'], text: '100,B,1,1/6/2011 12:00,Box,2.95,17' },
      // Truncated: without a Customer it would become a guest order.
      { line: 4, fields: ['101', 'A', '1', '1/6/2011 12:00', '2.95'], text: '101,A,1,1/6/2011 12:00,2.95' },
      record(5, '102', 'A', '1', '1/6/2011 12:00', '2.95', '18'),
    ]);
    const good = mapCsvEvents(mapping, header, [record(2, '100', 'A', '2', '1/6/2011 12:00', '2.95', '17'), record(4, '101', 'A', '1', '1/6/2011 12:00', '2.95', '17')]);
    const [id100, id101] = good.events.map((event) => JSON.parse(event.text).id as string);
    expect(result.events.map((event) => [event.line, event.rejection === undefined ? JSON.parse(event.text).data.orderId : event.text])).toEqual([
      [2, '100,B,1,1/6/2011 12:00,Box,2.95,17'],
      [4, '101,A,1,1/6/2011 12:00,2.95'],
      [5, 'o-102'],
    ]);
    expect(result.events[0]!.rejection).toEqual({
      code: 'RETOUR_EVENT_SCHEMA_INVALID',
      path: '$',
      message: '$: CSV line 3 has 7 fields, the header has 6: the order.placed of its group (rule "sale", "100") is not mapped',
      eventId: id100,
      eventType: 'order.placed',
    });
    expect(result.events[1]!.rejection).toMatchObject({ message: '$: CSV line 4 has 5 fields, the header has 6: the order.placed of its group (rule "sale", "101") is not mapped', eventId: id101 });
  });

  it('rejects a ragged row outside any group on its own, rather than letting its shifted cells skip it', () => {
    const result = mapCsvEvents(mapping, header, [{ line: 7, fields: ['103', 'A', '-1', '1/6/2011 12:00', '0', 'NA', 'x'] }]);
    expect(result.events).toEqual([
      {
        line: 7,
        text: '103,A,-1,1/6/2011 12:00,0,NA,x',
        rejection: { code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$', message: '$: CSV line 7 has 7 fields, the header has 6: the row is not mapped' },
      },
    ]);
    expect(result.skippedRows).toEqual({});
  });

  it('trims the group key like the values: "900001" and "900001 " are one invoice', () => {
    const result = mapCsvEvents(mapping, header, [record(2, '900001', 'A', '1', '1/6/2011 12:00', '1', '17'), record(3, '900001 ', 'B', '2', '1/6/2011 12:00', '1', '17')]);
    expect(result.events).toHaveLength(1);
    expect(JSON.parse(result.events[0]!.text).data.lines.map((line: { lineId: string }) => line.lineId)).toEqual(['A', 'B']);
  });

  it('keeps the text of a cell that does not convert inside sumOfProducts, so validation names the field', () => {
    const result = mapCsvEvents(mapping, header, [record(2, 'C9', 'A', '-1', '1/6/2011 12:00', '1.00', '17'), record(3, 'C9', 'B', '-2', '1/6/2011 12:00', 'n/a', '17')]);
    const event = JSON.parse(result.events[0]!.text);
    expect(event.data.amount).toBe('n/a');
    const decoded = decodeEvent(result.events[0]!.text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.rejection).toMatchObject({ code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$.data.amount' });
    // A missing cell still leaves the field out (validation: required).
    const missing = mapCsvEvents(mapping, header, [record(2, 'C9', 'A', '-1', '1/6/2011 12:00', 'NA', '17')]);
    expect(JSON.parse(missing.events[0]!.text).data).not.toHaveProperty('amount');
  });

  it('names the place of a mapping error', () => {
    expect(() => checkCsvMapping({ format: 'retour-csv-mapping/1', source: 's', idNamespace: 'n', rules: [{ name: 'x', action: 'emit', groupBy: ['Nope'], emit: [] }] }, header)).toThrow(/\$\.rules\[0\]\.groupBy/);
    expect(() => checkCsvMapping({ format: 'retour-csv-mapping/1', source: 's', idNamespace: 'n', rules: [{ name: 'x', action: 'emit', groupBy: ['Invoice'], emit: [{ type: 'order.placed', time: 'placedAt', data: { placedAt: { column: 'Whenever' } } }] }] }, header)).toThrow(/\$\.rules\[0\]\.emit\[0\]\.data\.placedAt\.column/);
  });
});
