/**
 * Applies a CSV mapping (csv-mapping.ts) to the records of a CSV export: the first rule whose
 * condition holds decides each row (skip it, or add it to a group of an emit rule); each group then
 * becomes the rule's events, as JSON texts ready for ingestBatch. Conversions that fail leave the
 * cell's text in the event, so validation quarantines it with the exact path — nothing is dropped
 * silently. Event ids are a hash of the id namespace, the event type and the group key, so
 * importing the same file again yields the same ids (duplicates, not new events).
 */
import { createHash } from 'node:crypto';
import type { Condition, CsvMapping, EmitSpec, FieldSpec, MappingRule, ValueSpec } from './csv-mapping.ts';
import { isValueSpec } from './csv-mapping.ts';
import { localTimeToUtc } from './local-time-to-utc.ts';

export interface CsvRecord {
  line: number;
  fields: string[];
  /** The record as written in the file (parseCsv gives it); else its fields joined by the delimiter. */
  text?: string;
}

/** Why a group (or a row outside any group) was not mapped: ingest quarantines it as such. */
export interface CsvRejection {
  code: 'RETOUR_EVENT_SCHEMA_INVALID';
  path: string;
  message: string;
  eventId?: string;
  eventType?: string;
}

export interface MappedEvent {
  /** Line of the group's first row in the CSV (becomes the message offset). */
  line: number;
  /** The event's JSON; for a rejected one, the text of the offending CSV rows instead. */
  text: string;
  /** Set when the event could not be made (a row with another number of fields than the header). */
  rejection?: CsvRejection;
}

export interface CsvMappingResult {
  events: MappedEvent[];
  rows: number;
  /** Rows dropped by skip rules, per rule name. */
  skippedRows: Record<string, number>;
  /** Rows no rule matched (counted, not imported). */
  unmatchedRows: number;
}

const MISSING = Symbol('missing');
type Value = string | number | boolean | object | typeof MISSING;

interface Context {
  mapping: CsvMapping;
  columnIndex: Map<string, number>;
  missing: Set<string>;
}

function cell(context: Context, record: CsvRecord, column: string): string | typeof MISSING {
  const text = record.fields[context.columnIndex.get(column)!];
  return text === undefined || context.missing.has(text.trim()) ? MISSING : text.trim();
}

function testCondition(context: Context, record: CsvRecord, condition: Condition): boolean {
  if ('all' in condition) return condition.all.every((part) => testCondition(context, record, part));
  if ('any' in condition) return condition.any.some((part) => testCondition(context, record, part));
  if ('not' in condition) return !testCondition(context, record, condition.not);
  const value = cell(context, record, condition.column);
  if (condition.missing !== undefined && (value === MISSING) !== condition.missing) return false;
  const text = value === MISSING ? '' : value;
  if (condition.matches !== undefined && !new RegExp(condition.matches).test(text)) return false;
  if (condition.notMatches !== undefined && new RegExp(condition.notMatches).test(text)) return false;
  if (condition.in !== undefined && !condition.in.includes(text)) return false;
  return true;
}

/** "2.95" with 2 decimals → 295, exactly (no binary floating point); more digits round half away from zero. */
function toMinorUnits(text: string, decimals: number): number | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const fraction = (match[3] ?? '').padEnd(decimals + 1, '0');
  let minor = Number(`${match[2] === '' ? '0' : match[2]}${fraction.slice(0, decimals)}`);
  if (Number(fraction[decimals]) >= 5) minor += 1;
  return match[1] === '-' ? -minor : minor;
}

type DatePart = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

const FORMAT_TOKENS: Record<string, { pattern: string; part: DatePart }> = {
  YYYY: { pattern: '(\\d{4})', part: 'year' },
  MM: { pattern: '(\\d{2})', part: 'month' },
  M: { pattern: '(\\d{1,2})', part: 'month' },
  DD: { pattern: '(\\d{2})', part: 'day' },
  D: { pattern: '(\\d{1,2})', part: 'day' },
  HH: { pattern: '(\\d{2})', part: 'hour' },
  H: { pattern: '(\\d{1,2})', part: 'hour' },
  mm: { pattern: '(\\d{2})', part: 'minute' },
  ss: { pattern: '(\\d{2})', part: 'second' },
};
const formatCache = new Map<string, { regex: RegExp; parts: DatePart[] }>();

/** Local time text in `format` (tokens YYYY MM M DD D HH H mm ss) in `zone` → RFC 3339 UTC, or undefined. */
function toTimestamp(text: string, format: string, zone: string): string | undefined {
  let compiled = formatCache.get(format);
  if (compiled === undefined) {
    const parts: DatePart[] = [];
    const source = format.replace(/YYYY|MM|M|DD|D|HH|H|mm|ss|[.*+?^${}()|[\]\\]/g, (token) => {
      const known = FORMAT_TOKENS[token];
      if (known === undefined) return `\\${token}`;
      parts.push(known.part);
      return known.pattern;
    });
    compiled = { regex: new RegExp(`^${source}$`), parts };
    formatCache.set(format, compiled);
  }
  const match = compiled.regex.exec(text);
  if (match === null) return undefined;
  const local = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  compiled.parts.forEach((part, index) => {
    local[part] = Number(match[index + 1]);
  });
  try {
    return localTimeToUtc(local, zone).toISOString().replace('.000Z', 'Z');
  } catch {
    return undefined;
  }
}

function evaluate(context: Context, spec: ValueSpec, rows: readonly CsvRecord[]): Value {
  const first = rows[0]!;
  if ('const' in spec) return spec.const;
  if ('sumOfProducts' in spec) {
    let total = 0;
    for (const row of rows) {
      let product = 1;
      for (const factor of spec.sumOfProducts) {
        const value = evaluate(context, factor, [row]);
        // A cell that did not convert stays its text, so validation names the field; a missing
        // one leaves the field out (validation then says it is required).
        if (typeof value !== 'number') return value;
        product *= value;
      }
      total += product;
    }
    return total;
  }
  if ('rows' in spec) {
    const lines = rows.map((row) => buildObject(context, spec.rows, [row]));
    if (spec.uniqueKey !== undefined) {
      // Repeated keys within a group (the same product twice on one invoice) get #2, #3… in file order.
      const seen = new Map<unknown, number>();
      for (const line of lines) {
        const key = line[spec.uniqueKey];
        if (typeof key !== 'string') continue;
        const count = (seen.get(key) ?? 0) + 1;
        seen.set(key, count);
        if (count > 1) line[spec.uniqueKey] = `${key}#${count}`;
      }
    }
    return lines;
  }
  let result: Value;
  if ('template' in spec) {
    let missing = false;
    const text = spec.template.replace(/\{([^}]+)\}/g, (_, column: string) => {
      const value = cell(context, first, column);
      if (value === MISSING) missing = true;
      return value === MISSING ? '' : value;
    });
    result = missing ? MISSING : text;
  } else {
    const text = cell(context, first, spec.column);
    // `map` translates the export's words to the contract's (a text it does not list passes unchanged,
    // so validation names the field and the value).
    const mapped = text !== MISSING && spec.map !== undefined && Object.hasOwn(spec.map, text) ? spec.map[text]! : text;
    result = mapped === MISSING ? MISSING : convert(context, spec, mapped);
  }
  if (result === MISSING && spec.ifMissing !== undefined) return evaluate(context, spec.ifMissing, rows);
  return result;
}

function convert(context: Context, spec: Extract<ValueSpec, { column: string }>, text: string): Value {
  let value: number | string | undefined;
  switch (spec.as ?? 'string') {
    case 'string':
      return text;
    case 'integer':
      value = /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
      break;
    case 'money':
      value = toMinorUnits(text, spec.decimals ?? 2);
      break;
    case 'timestamp':
      return toTimestamp(text, spec.format ?? '', spec.zone ?? context.mapping.timeZone ?? 'UTC') ?? text;
  }
  // An unconvertible cell stays text: validation then quarantines the event at this field's path.
  if (value === undefined) return text;
  return spec.abs === true ? Math.abs(value) : value;
}

function buildObject(context: Context, fields: Record<string, FieldSpec>, rows: readonly CsvRecord[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const value = isValueSpec(spec) ? evaluate(context, spec, rows) : buildObject(context, spec as Record<string, FieldSpec>, rows);
    if (value === MISSING) continue;
    if (!isValueSpec(spec) && Object.keys(value as object).length === 0) continue;
    result[name] = value;
  }
  return result;
}

function eventId(mapping: CsvMapping, type: string, groupKey: string): string {
  return `evt_${createHash('sha256').update(`${mapping.idNamespace}\u0000${type}\u0000${groupKey}`).digest('hex').slice(0, 32)}`;
}

function buildEvent(context: Context, emit: EmitSpec, groupKey: string, rows: readonly CsvRecord[]): string {
  const data = buildObject(context, emit.data, rows);
  const event: Record<string, unknown> = { specversion: '1.0', id: eventId(context.mapping, emit.type, groupKey), source: context.mapping.source, type: emit.type };
  // A missing time stays missing: the envelope check then quarantines the event at $.time.
  if (data[emit.time] !== undefined) event['time'] = data[emit.time];
  if (emit.subject !== undefined) {
    const subject = evaluate(context, emit.subject, rows);
    if (typeof subject === 'string') event['subject'] = subject;
  }
  event['datacontenttype'] = 'application/json';
  event['data'] = data;
  return JSON.stringify(event);
}

/**
 * @example
 * const { events } = mapCsvEvents(mapping, header, records); // events[0].text is one CloudEvent
 */
export function mapCsvEvents(mapping: CsvMapping, header: readonly string[], records: Iterable<CsvRecord>): CsvMappingResult {
  const context: Context = {
    mapping,
    columnIndex: new Map(header.map((name, index) => [name.trim(), index])),
    missing: new Set(mapping.missingValues ?? ['', 'NA']),
  };
  const result: CsvMappingResult = { events: [], rows: 0, skippedRows: {}, unmatchedRows: 0 };
  const groups = new Map<string, { rule: MappingRule; key: string; rows: CsvRecord[]; ragged: CsvRecord[] }>();
  const rowText = (record: CsvRecord): string => record.text ?? record.fields.join(mapping.delimiter ?? ',');
  const raggedMessage = (ragged: readonly CsvRecord[]): string =>
    `$: CSV ${ragged.map((record) => `line ${record.line} has ${record.fields.length} fields`).join(', ')}, the header has ${header.length}`;
  for (const record of records) {
    result.rows++;
    // A row with more or fewer fields than the header has its values in the wrong columns: it is
    // never mapped (an extra field shifts the price into the customer; a short row loses its customer).
    const ragged = record.fields.length !== header.length;
    const rule = mapping.rules.find((candidate) => candidate.when === undefined || testCondition(context, record, candidate.when));
    if (ragged && rule?.action !== 'emit') {
      // Its cells cannot be trusted to say it is skippable either: quarantined on its own.
      result.events.push({ line: record.line, text: rowText(record), rejection: { code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$', message: `${raggedMessage([record])}: the row is not mapped` } });
      continue;
    }
    if (rule === undefined) {
      result.unmatchedRows++;
      continue;
    }
    if (rule.action === 'skip') {
      result.skippedRows[rule.name] = (result.skippedRows[rule.name] ?? 0) + 1;
      continue;
    }
    // Trimmed like every value: "900001" and "900001 " are one invoice.
    const key = (rule.groupBy ?? []).map((column) => (record.fields[context.columnIndex.get(column)!] ?? '').trim()).join('\u0000');
    const groupId = `${rule.name}\u0000${key}`;
    let group = groups.get(groupId);
    if (group === undefined) groups.set(groupId, (group = { rule, key, rows: [], ragged: [] }));
    group.rows.push(record);
    if (ragged) group.ragged.push(record);
  }
  for (const group of groups.values()) {
    const line = group.rows[0]!.line;
    for (const emit of group.rule.emit ?? []) {
      if (group.ragged.length === 0) {
        result.events.push({ line, text: buildEvent(context, emit, group.key, group.rows) });
        continue;
      }
      // The whole group's event is quarantined (not made without the row: that would store an
      // order short of a line), with the offending rows as its raw text; a corrected file imports it.
      result.events.push({
        line,
        text: group.ragged.map(rowText).join('\n'),
        rejection: {
          code: 'RETOUR_EVENT_SCHEMA_INVALID',
          path: '$',
          message: `${raggedMessage(group.ragged)}: the ${emit.type} of its group (rule ${JSON.stringify(group.rule.name)}, ${JSON.stringify(group.key.split('\u0000').join(', '))}) is not mapped`,
          eventId: eventId(mapping, emit.type, group.key),
          eventType: emit.type,
        },
      });
    }
  }
  return result;
}
