/**
 * The declarative CSV → contract-event mapping (docs/csv-mapping.md): its types and a structural
 * check that names the offending place in the mapping file. Pure: no I/O.
 */
import { RetourError } from '../../domain/errors/retour-error.ts';
import { EVENT_TYPES, type EventType } from '../../domain/events/event-schemas.ts';

export const CSV_MAPPING_FORMAT = 'retour-csv-mapping/1';

/** How one value of an event is computed from the CSV row (or the rows of a group). */
export type ValueSpec =
  | { column: string; map?: Record<string, string>; as?: 'string' | 'integer' | 'money' | 'timestamp'; abs?: boolean; decimals?: number; format?: string; zone?: string; ifMissing?: ValueSpec }
  | { template: string; ifMissing?: ValueSpec }
  | { const: string | number | boolean }
  | { sumOfProducts: ValueSpec[] }
  | { rows: Record<string, FieldSpec>; uniqueKey?: string };

/** A value, or a nested object of fields (e.g. a line's `variant`). */
export type FieldSpec = ValueSpec | { [field: string]: FieldSpec };

export type Condition =
  | { column: string; matches?: string; notMatches?: string; in?: string[]; missing?: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export interface EmitSpec {
  type: EventType;
  /** Name of the data field whose value is the event's `time`. */
  time: string;
  subject?: ValueSpec;
  data: Record<string, FieldSpec>;
}

export interface MappingRule {
  name: string;
  description?: string;
  /** Absent: every row. */
  when?: Condition;
  action: 'skip' | 'emit';
  /** Rows with equal values in these columns form one group (one order, one return). */
  groupBy?: string[];
  emit?: EmitSpec[];
}

export interface CsvMapping {
  format: typeof CSV_MAPPING_FORMAT;
  description?: string;
  /** CloudEvents `source` of the generated events. */
  source: string;
  /** Mixed into every event id, so two mappings of one file never collide. */
  idNamespace: string;
  delimiter?: string;
  /** Encoding of the file's bytes (a WHATWG label: utf-8, the default; windows-1252, iso-8859-15, …). */
  encoding?: string;
  /** Cell texts that mean "no value" (default ["", "NA"]). */
  missingValues?: string[];
  /** Default zone of local timestamps (IANA name). */
  timeZone?: string;
  rules: MappingRule[];
}

const VALUE_KEYS = ['column', 'template', 'const', 'sumOfProducts', 'rows'];

export function isValueSpec(spec: FieldSpec): spec is ValueSpec {
  return VALUE_KEYS.some((key) => Object.hasOwn(spec, key));
}

function fail(path: string, rule: string, value: unknown): never {
  throw new RetourError('RETOUR_USAGE', `mapping ${path}: ${rule} (got ${JSON.stringify(value)?.slice(0, 80)})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The CSV's header as the check needs it; no names = no header given (the mapping alone is checked). */
interface Header {
  names: ReadonlySet<string>;
  /** Names the header holds more than once → their 1-based column numbers. */
  repeated: ReadonlyMap<string, number[]>;
}

function headerOf(columns: readonly string[]): Header {
  const positions = new Map<string, number[]>();
  columns.forEach((name, index) => positions.set(name, [...(positions.get(name) ?? []), index + 1]));
  return { names: new Set(columns), repeated: new Map([...positions].filter(([, at]) => at.length > 1)) };
}

/**
 * A column the mapping reads must be in the header exactly once: with a repeated name, which cells
 * the mapping would read is a guess (it silently read the last such column).
 */
function checkColumn(path: string, column: string, header: Header, rule: string, value: unknown): void {
  if (header.names.size === 0) return;
  if (!header.names.has(column)) fail(path, `${rule} ${[...header.names].join(', ')}`, value);
  const repeated = header.repeated.get(column);
  if (repeated !== undefined) {
    fail(path, `the CSV header has ${repeated.length} columns named ${JSON.stringify(column)} (columns ${repeated.join(', ')}): rename them in the file so the mapping can tell them apart`, value);
  }
}

const MAPPING_KEYS = ['format', 'description', 'source', 'idNamespace', 'delimiter', 'encoding', 'missingValues', 'timeZone', 'rules'];
const RULE_KEYS = ['name', 'description', 'when', 'action', 'groupBy', 'emit'];
const EMIT_KEYS = ['type', 'time', 'subject', 'data'];
const CONDITION_KEYS = ['column', 'matches', 'notMatches', 'in', 'missing', 'all', 'any', 'not'];
const VALUE_SPEC_KEYS = ['column', 'map', 'as', 'abs', 'decimals', 'format', 'zone', 'ifMissing', 'template', 'const', 'sumOfProducts', 'rows', 'uniqueKey'];

/** A misspelt key ("delimeter", "ifmissing") was ignored, and its default silently applied instead. */
function checkKeys(value: Record<string, unknown>, path: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(`${path}.${key}`, `is not a key of the mapping format here; known: ${known.join(', ')}`, value[key]);
  }
}

function isListOfTexts(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function checkCondition(value: unknown, path: string, header: Header): void {
  if (!isObject(value)) fail(path, 'must be an object', value);
  checkKeys(value, path, CONDITION_KEYS);
  if (Array.isArray(value['all']) || Array.isArray(value['any'])) {
    const list = (value['all'] ?? value['any']) as unknown[];
    list.forEach((item, index) => checkCondition(item, `${path}.${value['all'] !== undefined ? 'all' : 'any'}[${index}]`, header));
  } else if (value['not'] !== undefined) {
    checkCondition(value['not'], `${path}.not`, header);
  } else {
    if (typeof value['column'] !== 'string') fail(`${path}.column`, 'must name a CSV column', value['column']);
    // A condition on a column the file lacks would never match, silently sending rows to another rule.
    checkColumn(`${path}.column`, value['column'], header, 'must be one of the CSV columns', value['column']);
    if (value['in'] !== undefined && !isListOfTexts(value['in'])) fail(`${path}.in`, 'must be a list of texts', value['in']);
    if (value['missing'] !== undefined && typeof value['missing'] !== 'boolean') fail(`${path}.missing`, 'must be true or false', value['missing']);
    for (const key of ['matches', 'notMatches'] as const) {
      if (value[key] === undefined) continue;
      if (typeof value[key] !== 'string') fail(`${path}.${key}`, 'must be a regular expression', value[key]);
      try {
        new RegExp(value[key]);
      } catch {
        fail(`${path}.${key}`, 'must be a valid regular expression', value[key]);
      }
    }
  }
}

function checkField(value: unknown, path: string, columns: Header): void {
  if (!isObject(value)) fail(path, 'must be an object (a value spec or nested fields)', value);
  if (!isValueSpec(value as FieldSpec)) {
    for (const [key, child] of Object.entries(value)) checkField(child, `${path}.${key}`, columns);
    return;
  }
  checkKeys(value, path, VALUE_SPEC_KEYS);
  if (typeof value['column'] === 'string') checkColumn(`${path}.column`, value['column'], columns, 'must be one of the CSV columns', value['column']);
  if (value['map'] !== undefined) {
    if (typeof value['column'] !== 'string') fail(`${path}.map`, 'goes with "column" (it translates that cell)', value['map']);
    if (!isObject(value['map']) || !Object.values(value['map']).every((text) => typeof text === 'string')) fail(`${path}.map`, 'must be an object of cell text → text, e.g. {"too small": "fit.too_small"}', value['map']);
  }
  if (value['as'] !== undefined && !['string', 'integer', 'money', 'timestamp'].includes(value['as'] as string)) fail(`${path}.as`, 'must be string, integer, money or timestamp', value['as']);
  if (value['as'] === 'timestamp' && typeof value['format'] !== 'string') fail(`${path}.format`, 'a timestamp needs a format such as "YYYY-MM-DD HH:mm:ss"', value['format']);
  if (value['as'] === 'money' && !(Number.isInteger(value['decimals']) && (value['decimals'] as number) >= 0 && (value['decimals'] as number) <= 6)) fail(`${path}.decimals`, 'money needs decimals, an integer from 0 to 6', value['decimals']);
  if (value['template'] !== undefined) {
    for (const match of String(value['template']).matchAll(/\{([^}]+)\}/g)) {
      checkColumn(`${path}.template`, match[1]!, columns, `{${match[1]}} must name one of the CSV columns`, value['template']);
    }
  }
  if (value['ifMissing'] !== undefined) checkField(value['ifMissing'], `${path}.ifMissing`, columns);
  if (value['sumOfProducts'] !== undefined) {
    if (!Array.isArray(value['sumOfProducts']) || value['sumOfProducts'].length === 0) fail(`${path}.sumOfProducts`, 'must be a non-empty list of value specs', value['sumOfProducts']);
    value['sumOfProducts'].forEach((item: unknown, index: number) => checkField(item, `${path}.sumOfProducts[${index}]`, columns));
  }
  if (value['rows'] !== undefined) {
    if (!isObject(value['rows'])) fail(`${path}.rows`, 'must be an object of line fields', value['rows']);
    for (const [key, child] of Object.entries(value['rows'])) checkField(child, `${path}.rows.${key}`, columns);
  }
}

/**
 * Checks a parsed mapping file against the format and, when given, the CSV's header.
 * Throws RETOUR_USAGE naming the place (`$.rules[1].emit[0].data.amount`) and the rule.
 */
export function checkCsvMapping(value: unknown, columns: readonly string[] = []): CsvMapping {
  const header = headerOf(columns);
  if (!isObject(value)) fail('$', 'must be a JSON object', value);
  checkKeys(value, '$', MAPPING_KEYS);
  if (value['format'] !== CSV_MAPPING_FORMAT) fail('$.format', `must be "${CSV_MAPPING_FORMAT}"`, value['format']);
  for (const key of ['source', 'idNamespace'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') fail(`$.${key}`, 'must be a non-empty string', value[key]);
  }
  const delimiter = value['delimiter'];
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')) {
    fail('$.delimiter', 'must be one character other than a quote or a line break, e.g. ";" or "\\t"', delimiter);
  }
  if (value['encoding'] !== undefined) {
    try {
      new TextDecoder(value['encoding'] as string);
    } catch {
      fail('$.encoding', 'must be a text encoding such as utf-8, windows-1252 or iso-8859-15', value['encoding']);
    }
  }
  // A text here would be read letter by letter ("NA" → "N" and "A" missing, "NA" itself not).
  if (value['missingValues'] !== undefined && !isListOfTexts(value['missingValues'])) fail('$.missingValues', 'must be a list of texts, e.g. ["", "NA"]', value['missingValues']);
  if (value['timeZone'] !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value['timeZone'] as string });
    } catch {
      fail('$.timeZone', 'must be an IANA time zone such as Europe/London', value['timeZone']);
    }
  }
  if (!Array.isArray(value['rules']) || value['rules'].length === 0) fail('$.rules', 'must be a non-empty list', value['rules']);
  value['rules'].forEach((rule: unknown, index: number) => {
    const path = `$.rules[${index}]`;
    if (!isObject(rule)) fail(path, 'must be an object', rule);
    checkKeys(rule, path, RULE_KEYS);
    if (typeof rule['name'] !== 'string') fail(`${path}.name`, 'must be a string', rule['name']);
    if (rule['when'] !== undefined) checkCondition(rule['when'], `${path}.when`, header);
    if (rule['action'] === 'skip') return;
    if (rule['action'] !== 'emit') fail(`${path}.action`, 'must be "emit" or "skip"', rule['action']);
    if (!Array.isArray(rule['groupBy']) || rule['groupBy'].length === 0) fail(`${path}.groupBy`, 'an emit rule needs groupBy: the columns whose values identify a group (they also make the event ids)', rule['groupBy']);
    for (const column of rule['groupBy']) {
      if (typeof column !== 'string') fail(`${path}.groupBy`, 'must be a list of CSV column names', rule['groupBy']);
      checkColumn(`${path}.groupBy`, column, header, `${JSON.stringify(column)} must be one of the CSV columns`, rule['groupBy']);
    }
    if (!Array.isArray(rule['emit']) || rule['emit'].length === 0) fail(`${path}.emit`, 'must be a non-empty list of events', rule['emit']);
    rule['emit'].forEach((emit: unknown, emitIndex: number) => {
      const emitPath = `${path}.emit[${emitIndex}]`;
      if (!isObject(emit)) fail(emitPath, 'must be an object', emit);
      checkKeys(emit, emitPath, EMIT_KEYS);
      if (!EVENT_TYPES.includes(emit['type'] as EventType)) fail(`${emitPath}.type`, `must be a v1 event type (${EVENT_TYPES.join(', ')})`, emit['type']);
      if (!isObject(emit['data'])) fail(`${emitPath}.data`, 'must be an object of fields', emit['data']);
      if (typeof emit['time'] !== 'string' || !Object.hasOwn(emit['data'], emit['time'])) fail(`${emitPath}.time`, 'must name one of the data fields (its value becomes the event time)', emit['time']);
      for (const [key, child] of Object.entries(emit['data'])) checkField(child, `${emitPath}.data.${key}`, header);
      if (emit['subject'] !== undefined) checkField(emit['subject'], `${emitPath}.subject`, header);
    });
  });
  return value as unknown as CsvMapping;
}
